import { useEffect, useRef, useState } from 'react';

import { EmptyState, ErrorNote } from '../components/Notice';
import { useApp } from '../store';
import { environmentSelectors } from '../store/selectors';
import { ChannelList } from './ChannelList';
import { PipRequirements } from './environment/PipRequirements';
import { EnvironmentWarnings } from './EnvironmentWarnings';

const SEARCH_DELAY_MS = 250;

/** Keyed by the saved version, so the draft resets when the file changes. */
function PythonForm({
  current,
  onSet,
}: {
  current: string;
  onSet: (version: string) => Promise<void>;
}) {
  const [python, setPython] = useState(current);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (python.trim()) void onSet(python.trim());
      }}
    >
      <label>
        Python version
        <input value={python} onChange={(e) => setPython(e.target.value)} placeholder="3.11" />
      </label>
      <button type="submit">Set Python</button>
    </form>
  );
}

/** Packages (search, add, remove, pin), python version, channel order. */
export function EnvironmentScreen() {
  const environment = useApp((s) => s.environment);
  const results = useApp((s) => s.searchResults);
  const searching = useApp((s) => s.searching);
  const error = useApp((s) => s.environmentError);
  const searchPackages = useApp((s) => s.searchPackages);
  const addPackage = useApp((s) => s.addPackage);
  const removePackage = useApp((s) => s.removePackage);
  const pinPackage = useApp((s) => s.pinPackage);
  const setPython = useApp((s) => s.setPython);
  const searchNotice = useApp((s) => s.searchNotice);
  const lastRemoved = useApp((s) => s.lastRemoved);
  const undoRemove = useApp((s) => s.undoRemove);
  const undoButton = useRef<HTMLButtonElement>(null);
  const [query, setQuery] = useState('');
  const [pins, setPins] = useState<Record<string, string>>({});
  const names = environmentSelectors.dependencyNames({ environment });
  const python = environmentSelectors.python({ environment });
  const packages = environmentSelectors.packages({ environment });

  useEffect(() => {
    // Typing fires one search after a pause, not one per key.
    const timer = setTimeout(() => void searchPackages(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, searchPackages]);

  if (!environment) {
    return (
      <section className="screen" aria-labelledby="env-title">
        <h2 id="env-title">Environment</h2>
        <ErrorNote message={error} />
        <EmptyState title="No environment loaded">
          <p>Open or create a project on the Projects screen.</p>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="env-title">
      <h2 id="env-title">Environment{environment.name ? `: ${environment.name}` : ''}</h2>
      <ErrorNote message={error} />
      <EnvironmentWarnings warnings={environment.warnings} />
      <div className="columns">
        <div className="card stack">
          <h3>Add packages</h3>
          <input
            type="search"
            aria-label="Search packages"
            placeholder="Search packages across the channels"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {searching ? <p role="status">Searching…</p> : null}
          {searchNotice ? (
            <p role="note" className="warn-note">
              {searchNotice}
            </p>
          ) : null}
          {!query.trim() ? (
            <p className="muted">
              Type a package name (for example numpy) to search the channels listed on the right.
            </p>
          ) : null}
          {!searching && query.trim() && results.length === 0 ? (
            <p className="muted">
              No package matches “{query.trim()}”. Check the spelling or add a channel.
            </p>
          ) : null}
          <ul className="results" aria-label="Search results">
            {results.map((r) => (
              <li key={r.name}>
                <div className="result-text">
                  <strong>{r.name}</strong> <span className="muted">{r.channels.join(', ')}</span>
                  {r.summary ? <p className="muted">{r.summary}</p> : null}
                  <small className="muted">
                    {r.versions.slice(0, 5).join(', ')}
                    {r.builds.length
                      ? ` · builds ${r.builds
                          .slice(0, 3)
                          .map((b) => `${b.build} (${b.subdir})`)
                          .join(', ')}`
                      : ''}
                  </small>
                </div>
                {/* aria-disabled, not disabled: the button keeps the focus after adding. */}
                <button
                  type="button"
                  aria-label={`Add ${r.name}`}
                  aria-disabled={names.has(r.name)}
                  onClick={() => {
                    if (!names.has(r.name)) void addPackage(r.name);
                  }}
                >
                  {names.has(r.name) ? 'Added' : 'Add'}
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="stack">
          <div className="card stack">
            <h3>Python</h3>
            <PythonForm key={python} current={python} onSet={setPython} />
          </div>
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
          <PipRequirements />
          <div className="card stack">
            <ChannelList channels={environment.channels} />
          </div>
        </div>
      </div>
    </section>
  );
}
