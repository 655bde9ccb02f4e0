import { formatMiB } from '../lib/format';
import type { LayerSize } from '../store/build-view';
import type { ComparisonEntry } from '../store/selectors';

const BAR = 18;
const GAP = 6;
const LABEL = 260;
const WIDTH = 720;

function shorten(text: string, max = 40): string {
  const oneLine = text
    .replace(/\s+/g, ' ')
    .replace(/^\/bin\/sh -c /, '')
    .replace(/ # buildkit$/, '');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * One horizontal bar per layer, labelled by its instruction; `scale` is shared by the charts
 * shown side by side so their bars compare.
 */
export function LayerChart({
  title,
  layers,
  scale,
}: {
  title: string;
  layers: LayerSize[];
  scale: number;
}) {
  const height = Math.max(1, layers.length) * (BAR + GAP) + GAP;
  const barSpace = WIDTH - LABEL - 90;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={`Layer sizes of ${title}`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
      >
        {layers.map((layer, i) => {
          const y = GAP + i * (BAR + GAP);
          const w = Math.max(1, (layer.bytes / scale) * barSpace);
          return (
            <g key={i}>
              <title>{`${layer.instruction}: ${formatMiB(layer.bytes)}`}</title>
              <text x={0} y={y + BAR - 5} className="chart-label">
                {shorten(layer.instruction)}
              </text>
              <rect x={LABEL} y={y} width={w} height={BAR} rx={3} className="chart-bar" />
              <text x={LABEL + w + 6} y={y + BAR - 5} className="chart-value">
                {formatMiB(layer.bytes)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Total size per variant, one bar each, live variants highlighted. */
export function TotalsChart({ entries, scale }: { entries: ComparisonEntry[]; scale: number }) {
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
            <title>{`${entry.label}: ${formatMiB(entry.result.totalBytes)}`}</title>
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
              {formatMiB(entry.result.totalBytes)}
            </text>
          </g>
        );
      })}
    </svg>
  );
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
        aria-valuetext={`${formatMiB(remaining)} of ${formatMiB(total)}`}
        className="size-track"
      >
        <div className="size-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <p>
        <strong>{formatMiB(remaining)}</strong> of {formatMiB(total)}
        {saved > 0 ? ` (saves ${formatMiB(saved)}, ${((saved / total) * 100).toFixed(0)}%)` : ''}
      </p>
    </div>
  );
}
