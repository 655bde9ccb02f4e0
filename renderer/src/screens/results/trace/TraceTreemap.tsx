import { type KeyboardEvent, useRef, useState } from 'react';

import { formatSize } from '../../../../../shared/format/size';
import type { RecipePlatform } from '../../../../../shared/recipe/model';
import type { TraceReport } from '../../../../../shared/trace/model';
import { HatchPattern } from '../../../components/HatchPattern';
import { layoutTreemap, type TreemapCell } from '../../../lib/space-layout';
import { traceSelectors } from '../../../store/trace-view';
import { TraceTable } from './TraceTable';

const WIDTH = 720;
const HEIGHT = 420;

function fits(text: string, width: number): boolean {
  return text.length * 6.5 < width - 6;
}

/**
 * "numpy: lib/.../tests, used 0 B of 15.0 MiB; the unused part would be removed by Package test
 * suites". The image ships these files, so no listed rule is on in the traced variant: "would".
 */
function cellName(cell: TreemapCell, platform: RecipePlatform): string {
  const used = cell.bytes - cell.shadedBytes;
  const rules = traceSelectors.ruleShares(cell.byRule, platform).map((r) => r.title);
  return `${cell.packageName}: ${cell.folder || 'all files'}, used ${formatSize(used)} of ${formatSize(cell.bytes)} shipped${
    rules.length ? `; the unused part would be removed by ${rules.join(', ')}` : ''
  }`;
}

function CellDetail({ cell, platform }: { cell: TreemapCell; platform: RecipePlatform }) {
  const shares = traceSelectors.ruleShares(cell.byRule, platform);
  const removed = shares.reduce((sum, r) => sum + r.bytes, 0);
  return (
    <>
      <strong>{cell.packageName}</strong> <code>{cell.folder || 'all files'}</code>: used{' '}
      {formatSize(cell.bytes - cell.shadedBytes)} of {formatSize(cell.bytes)} shipped
      {cell.shadedBytes > 0 ? `, ${formatSize(cell.shadedBytes)} unused` : ''}.{' '}
      {shares.length > 0 ? (
        <>
          Turning on{' '}
          {shares.map((r, i) => (
            <span key={r.id}>
              {i > 0 ? ', ' : ''}
              {r.title} ({formatSize(r.bytes)})
            </span>
          ))}{' '}
          {removed < cell.shadedBytes
            ? 'would remove part of it; no catalog rule removes the rest: the traced variant would.'
            : 'would remove it.'}
        </>
      ) : cell.shadedBytes > 0 ? (
        'No catalog rule removes the unused part: the traced variant would.'
      ) : null}
    </>
  );
}

/**
 * The traced image by package then folder (the Image screen's d3 layout), each box's unused part
 * hatched and lighter; hover or Tab to a box for its path, bytes and the rules that remove it.
 * "Show as a table" gives the same numbers as text.
 */
export function TraceTreemap({
  report,
  platform,
}: {
  report: TraceReport;
  platform: RecipePlatform;
}) {
  const [active, setActive] = useState<TreemapCell | undefined>(undefined);
  const [table, setTable] = useState(false);
  // One tab stop for the whole map (a report can have hundreds of boxes); arrows move between them.
  const [current, setCurrent] = useState(0);
  const svg = useRef<SVGSVGElement>(null);
  const input = report.packages.map((p) => ({
    name: p.name,
    bytes: p.shippedBytes,
    folders: p.folders.map((f) => ({
      path: f.path,
      bytes: f.shippedBytes,
      shadedBytes: Math.max(0, f.shippedBytes - f.usedBytes),
      byRule: f.unusedRemovedBy,
    })),
  }));
  const { packages, cells } = layoutTreemap(input, WIDTH, HEIGHT);
  const focusable = Math.min(current, Math.max(0, cells.length - 1));
  const move = (event: KeyboardEvent, index: number) => {
    const step: Record<string, number> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
    };
    let next: number | undefined;
    if (event.key in step) next = index + step[event.key]!;
    if (event.key === 'Home') next = 0;
    if (event.key === 'End') next = cells.length - 1;
    if (next === undefined || next < 0 || next >= cells.length) return;
    event.preventDefault();
    setCurrent(next);
    svg.current?.querySelector<SVGGElement>(`[data-cell="${next}"]`)?.focus();
  };
  return (
    <figure className="treemap trace-treemap">
      <h4 id="trace-treemap-title">Used and unused, by package and folder</h4>
      <figcaption className="muted">
        Each box is a folder of a package, sized by what it ships; the solid part was used by the
        checks, the hatched, fainter part was not. Tab to the map, then the arrow keys move from box
        to box.
      </figcaption>
      <svg
        role="group"
        aria-labelledby="trace-treemap-title"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        ref={svg}
        onMouseLeave={() => setActive(undefined)}
      >
        <HatchPattern
          id="trace-cell-hatch"
          backgroundClass="trace-unused-bg"
          lineClass="trace-unused-line"
        />
        {packages.map((p) => (
          <g key={p.name} aria-hidden="true">
            <rect x={p.x} y={p.y} width={p.width} height={p.height} className="treemap-package" />
            {fits(p.name, p.width) && p.height > 14 ? (
              <text x={p.x + 3} y={p.y + 12} className="treemap-package-label">
                {p.name}
              </text>
            ) : null}
          </g>
        ))}
        {cells.map((c, i) => {
          const share = c.bytes > 0 ? c.shadedBytes / c.bytes : 0;
          const unusedHeight = Math.round(c.height * share);
          const label = c.folder.split('/').pop() ?? '';
          return (
            <g
              key={c.key}
              role="img"
              aria-label={cellName(c, platform)}
              tabIndex={i === focusable ? 0 : -1}
              data-cell={i}
              className={active?.key === c.key ? 'trace-cell trace-cell-active' : 'trace-cell'}
              onMouseEnter={() => setActive(c)}
              onKeyDown={(event) => move(event, i)}
              onFocus={() => {
                setCurrent(i);
                setActive(c);
              }}
              onBlur={() => setActive(undefined)}
            >
              <rect x={c.x} y={c.y} width={c.width} height={c.height} className="trace-cell-used" />
              {unusedHeight > 0 ? (
                <rect
                  x={c.x}
                  y={c.y + c.height - unusedHeight}
                  width={c.width}
                  height={unusedHeight}
                  fill="url(#trace-cell-hatch)"
                />
              ) : null}
              <rect
                x={c.x}
                y={c.y}
                width={c.width}
                height={c.height}
                className="trace-cell-outline"
              />
              {c.height > 26 && fits(label, c.width) ? (
                <text x={c.x + 3} y={c.y + 12} className="treemap-cell-label">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <p className="chart-detail" aria-live="polite">
        {active ? (
          <CellDetail cell={active} platform={platform} />
        ) : (
          <span className="muted">Point at a box, or reach it with Tab, for its folder.</span>
        )}
      </p>
      <button type="button" aria-expanded={table} onClick={() => setTable(!table)}>
        {table ? 'Hide the table' : 'Show as a table'}
      </button>
      {table ? <TraceTable report={report} platform={platform} /> : null}
    </figure>
  );
}
