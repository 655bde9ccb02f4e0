import { useState } from 'react';

import { formatSize, formatSizeIn, type SizeScale, sizeScale } from '../../../shared/format/size';
import type { LayerSize } from '../store/build-view';
import type { ComparisonEntry } from '../store/selectors';

const BAR = 18;
const GAP = 6;
// The totals chart spans the screen's width: a wide drawing keeps its text near its CSS size.
const LABEL = 300;
const WIDTH = 960;
// Layer charts sit two to a row: a narrower drawing keeps their text near its CSS size.
const LAYER_LABEL = 220;
const LAYER_WIDTH = 560;

function shorten(text: string, max = 40): string {
  const oneLine = text
    .replace(/\s+/g, ' ')
    .replace(/^\/bin\/sh -c /, '')
    .replace(/ # buildkit$/, '');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * One horizontal bar per layer, labelled by its instruction; `scale` is shared by the charts
 * shown side by side so their bars compare, `unit` so their numbers do. Labels are shortened to fit:
 * hovering or focusing a layer (Tab) shows its whole instruction under the chart.
 */
export function LayerChart({
  title,
  layers,
  scale,
  unit,
}: {
  title: string;
  layers: LayerSize[];
  scale: number;
  unit?: SizeScale;
}) {
  const [active, setActive] = useState<number | undefined>(undefined);
  const shown = unit ?? sizeScale(layers.map((l) => l.bytes));
  const height = Math.max(1, layers.length) * (BAR + GAP) + GAP;
  const barSpace = LAYER_WIDTH - LAYER_LABEL - 80;
  const current = active === undefined ? undefined : layers[active];
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={`Layer sizes of ${title}`}
        viewBox={`0 0 ${LAYER_WIDTH} ${height}`}
        width="100%"
        onMouseLeave={() => setActive(undefined)}
      >
        {layers.map((layer, i) => {
          const y = GAP + i * (BAR + GAP);
          const w = Math.max(1, (layer.bytes / scale) * barSpace);
          const size = formatSizeIn(layer.bytes, shown);
          return (
            <g
              key={i}
              tabIndex={0}
              className={active === i ? 'chart-row chart-row-active' : 'chart-row'}
              onMouseEnter={() => setActive(i)}
              onFocus={() => setActive(i)}
              onBlur={() => setActive(undefined)}
            >
              <title>{`${layer.instruction}: ${formatSize(layer.bytes)}`}</title>
              <rect
                x={0}
                y={y - GAP / 2}
                width={LAYER_WIDTH}
                height={BAR + GAP}
                className="chart-hit"
              />
              <text x={0} y={y + BAR - 5} className="chart-label">
                {shorten(layer.instruction, 32)}
              </text>
              <rect x={LAYER_LABEL} y={y} width={w} height={BAR} rx={3} className="chart-bar" />
              <text x={LAYER_LABEL + w + 6} y={y + BAR - 5} className="chart-value">
                {size}
              </text>
            </g>
          );
        })}
      </svg>
      <p className="chart-detail" aria-live="polite">
        {current ? (
          <>
            <code>{current.instruction}</code>{' '}
            <span className="muted">{formatSize(current.bytes)}</span>
          </>
        ) : layers.length ? null : (
          <span className="muted">No layers recorded for this variant.</span>
        )}
      </p>
    </figure>
  );
}

/** Total size per variant, one bar each, live variants highlighted. */
export function TotalsChart({ entries, scale }: { entries: ComparisonEntry[]; scale: number }) {
  const unit = sizeScale(entries.map((e) => e.result.totalBytes));
  const height = Math.max(1, entries.length) * (BAR + GAP) + GAP;
  const barSpace = WIDTH - LABEL - 90;
  return (
    <svg
      role="img"
      aria-label="Total image size per variant"
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
    >
      {entries.map((entry, i) => {
        const y = GAP + i * (BAR + GAP);
        const w = Math.max(1, (entry.result.totalBytes / scale) * barSpace);
        return (
          <g key={entry.key}>
            <title>{`${entry.label}: ${formatSize(entry.result.totalBytes)}`}</title>
            <text x={0} y={y + BAR - 5} className="chart-label">
              {shorten(entry.label)}
            </text>
            <rect
              x={LABEL}
              y={y}
              width={w}
              height={BAR}
              rx={3}
              className={entry.live ? 'chart-bar chart-live' : 'chart-bar'}
            />
            <text x={LABEL + w + 6} y={y + BAR - 5} className="chart-value">
              {formatSizeIn(entry.result.totalBytes, unit)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

// "62%", but never "0%" or "100%" for a saving that is neither none nor everything.
function percent(part: number, whole: number): string {
  const value = (part / whole) * 100;
  if (value > 0 && value < 1) return '<1%';
  if (value < 100 && value > 99) return '>99%';
  return `${value.toFixed(0)}%`;
}

/** The environment's size with the enabled prune rules taken off; it moves as rules toggle. */
export function SizeBar({ total, remaining }: { total: number; remaining: number }) {
  const fraction = total > 0 ? remaining / total : 1;
  const saved = total - remaining;
  return (
    <div className="size-bar">
      <div
        role="meter"
        aria-label="Estimated environment size"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={remaining}
        aria-valuetext={`${formatSize(remaining)} of ${formatSize(total)}`}
        className="size-track"
      >
        <div className="size-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <p>
        <strong>{formatSize(remaining)}</strong> of {formatSize(total)}
        {saved > 0 ? ` (saves ${formatSize(saved)}, ${percent(saved, total)})` : ''}
      </p>
    </div>
  );
}
