import { useState } from 'react';

import { formatSize } from '../../../../shared/format/size';
import { HatchPattern } from '../../components/HatchPattern';
import { layoutSpace, type SpaceCell } from '../../lib/space-layout';
import { useApp } from '../../store';
import { recipeSelectors } from '../../store/selectors';

const WIDTH = 720;
const HEIGHT = 420;

function fits(text: string, width: number): boolean {
  return text.length * 6.5 < width - 6;
}

/**
 * "Environment by size": packages, then their folders, sized by bytes; the part the variant's
 * enabled rules and custom globs remove is drawn hatched, so it shows where the rules bite and
 * where the rest sits.
 */
export function SpaceTreemap() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const editingVariant = useApp((s) => s.editingVariant);
  const [active, setActive] = useState<SpaceCell | undefined>(undefined);
  if (!savings?.space?.length) return null;
  // Custom globs bite too (a traced variant's hundreds): `space` measures them per folder as well.
  const enabled = recipeSelectors.removingRules({ recipe, editingVariant });
  const { packages, cells } = layoutSpace(savings.space, enabled, WIDTH, HEIGHT);
  const removed = packages.reduce((sum, p) => sum + p.removedBytes, 0);
  const total = packages.reduce((sum, p) => sum + p.bytes, 0);
  const largest = packages.slice(0, 5);
  return (
    <figure className="card treemap">
      <h3>Environment by size</h3>
      <figcaption className="muted">
        Each box is a folder of a package, sized by its bytes; the hatched part is what the rules of
        this variant remove ({formatSize(removed)} of {formatSize(total)}).
      </figcaption>
      <svg
        role="img"
        aria-label={`Environment by size: largest packages ${largest
          .map((p) => `${p.name} ${formatSize(p.bytes)}`)
          .join(', ')}; the rules remove ${formatSize(removed)} of ${formatSize(total)}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        onMouseLeave={() => setActive(undefined)}
      >
        <HatchPattern
          id="pruned-hatch"
          backgroundClass="treemap-removed-bg"
          lineClass="treemap-removed-line"
        />
        {packages.map((p) => (
          <g key={p.name}>
            <rect x={p.x} y={p.y} width={p.width} height={p.height} className="treemap-package" />
            {fits(p.name, p.width) && p.height > 14 ? (
              <text x={p.x + 3} y={p.y + 12} className="treemap-package-label">
                {fits(`${p.name} ${formatSize(p.bytes)}`, p.width)
                  ? `${p.name} ${formatSize(p.bytes)}`
                  : p.name}
              </text>
            ) : null}
          </g>
        ))}
        {cells.map((c) => {
          const share = c.bytes > 0 ? c.removedBytes / c.bytes : 0;
          const removedHeight = Math.round(c.height * share);
          return (
            <g key={c.key} onMouseEnter={() => setActive(c)}>
              <title>{`${c.packageName}: ${c.folder} ${formatSize(c.bytes)}${c.removedBytes ? `, rules remove ${formatSize(c.removedBytes)}` : ''}`}</title>
              <rect x={c.x} y={c.y} width={c.width} height={c.height} className="treemap-cell" />
              {removedHeight > 0 ? (
                <rect
                  x={c.x}
                  y={c.y + c.height - removedHeight}
                  width={c.width}
                  height={removedHeight}
                  fill="url(#pruned-hatch)"
                  className="treemap-removed"
                />
              ) : null}
              {c.height > 26 && fits(c.folder.split('/').pop() ?? '', c.width) ? (
                <text x={c.x + 3} y={c.y + 12} className="treemap-cell-label">
                  {c.folder.split('/').pop()}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <p className="chart-detail" aria-live="polite">
        {active ? (
          <>
            <strong>{active.packageName}</strong> <code>{active.folder}</code>{' '}
            {formatSize(active.bytes)}
            {active.removedBytes > 0
              ? `, the rules remove ${formatSize(active.removedBytes)}`
              : ', kept'}
          </>
        ) : (
          <span className="muted">Point at a box for its folder and size.</span>
        )}
      </p>
    </figure>
  );
}
