import type { BuildGroup } from '../../store/results-view';

/** Builds without an image (failed or cancelled), folded away: what went wrong, per variant. */
export function FoldedBuilds({ groups }: { groups: BuildGroup[] }) {
  if (groups.length === 0) return null;
  return (
    <details className="card folded-builds">
      <summary>
        Failed and cancelled builds ({groups.length}){' '}
        <span className="muted">: no image to compare</span>
      </summary>
      <ul aria-label="Failed and cancelled builds">
        {groups.map((group) => (
          <li key={group.buildId}>
            <strong>{group.title}</strong>: {group.state === 'cancelled' ? 'cancelled' : 'failed'}
            <ul>
              {group.entries.map((e) => (
                <li key={e.key} className="wrap-cell">
                  {e.result.variant}:{' '}
                  {e.result.state === 'cancelled'
                    ? 'cancelled'
                    : (e.result.error ?? 'the build failed (see its log)')}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </details>
  );
}
