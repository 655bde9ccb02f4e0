import type { EnvironmentWarning } from '../../../../shared/environment/environment-file';

/** What Condense reads differently from what environment.yml may intend, each with its line. */
export function EnvironmentWarnings({ warnings }: { warnings: EnvironmentWarning[] | undefined }) {
  if (!warnings?.length) return null;
  return (
    <div role="status" aria-label="environment.yml warnings" className="card stack">
      <h3>environment.yml notes</h3>
      <ul>
        {warnings.map((w) => (
          <li key={`${w.line}:${w.column}:${w.message}`}>
            Line {w.line}, column {w.column}: {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
