import type { LockDiff } from '../../../../shared/api/lock';

/** What the last relock changed: added, removed and changed packages. */
export function LockChanges({ diff }: { diff: LockDiff }) {
  return (
    <details className="card" open>
      <summary>
        Changes since the previous lock: {diff.added.length} added, {diff.removed.length} removed,{' '}
        {diff.changed.length} changed, {diff.unchanged} unchanged
      </summary>
      <ul aria-label="Lock changes">
        {diff.added.map((p) => (
          <li key={`+${p.platform}/${p.name}`} className="diff-added">
            + {p.name} {p.version} ({p.platform})
          </li>
        ))}
        {diff.removed.map((p) => (
          <li key={`-${p.platform}/${p.name}`} className="diff-removed">
            − {p.name} {p.version} ({p.platform})
          </li>
        ))}
        {diff.changed.map((c) => (
          <li key={`~${c.platform}/${c.name}`} className="diff-changed">
            ~ {c.name} {c.from.version} ({c.from.build}) → {c.to.version} ({c.to.build})
          </li>
        ))}
      </ul>
    </details>
  );
}
