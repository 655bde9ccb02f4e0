import { useRef, useState } from 'react';

import { EmptyState } from '../../components/Notice';
import { useApp } from '../../store';
import { environmentSelectors } from '../../store/selectors';

/** The "Dependencies" card: pin or remove each conda dependency, with undo after a remove. */
export function DependencyTable() {
  const environment = useApp((s) => s.environment);
  const removePackage = useApp((s) => s.removePackage);
  const pinPackage = useApp((s) => s.pinPackage);
  const lastRemoved = useApp((s) => s.lastRemoved);
  const undoRemove = useApp((s) => s.undoRemove);
  const undoButton = useRef<HTMLButtonElement>(null);
  const [pins, setPins] = useState<Record<string, string>>({});
  const packages = environmentSelectors.packages({ environment });

  return (
    <div className="card stack">
      <h3>Dependencies</h3>
      {lastRemoved ? (
        <p role="status" className="row row-center">
          Removed {lastRemoved.name}.
          <button type="button" ref={undoButton} onClick={() => void undoRemove()}>
            Undo
          </button>
        </p>
      ) : null}
      {packages.length === 0 ? (
        <EmptyState title="No packages yet">
          <p>Search on the left and add the packages your code imports.</p>
        </EmptyState>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Pin</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {packages.map((d) => (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td>
                  <form
                    className="row"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void pinPackage(d.name, pins[d.name] ?? d.version ?? '');
                    }}
                  >
                    <input
                      aria-label={`Version pin for ${d.name}`}
                      value={pins[d.name] ?? d.version ?? ''}
                      placeholder="any version"
                      onChange={(e) => setPins({ ...pins, [d.name]: e.target.value })}
                    />
                    <button type="submit" aria-label={`Pin ${d.name}`}>
                      Pin
                    </button>
                  </form>
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${d.name}`}
                    onClick={() =>
                      // The row goes away: focus moves to Undo, so the keyboard stays here.
                      void removePackage(d.name).then(() => undoButton.current?.focus())
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
