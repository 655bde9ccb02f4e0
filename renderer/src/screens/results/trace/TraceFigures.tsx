import type { TraceRecord } from '../../../../../shared/api/trace';
import { formatSize, formatSizeIn, sizeScale } from '../../../../../shared/format/size';
import type { TraceReport } from '../../../../../shared/trace/model';
import { HatchPattern } from '../../../components/HatchPattern';
import type { LimitBar, TraceChoice } from '../../../store/trace-view';
import { traceSelectors } from '../../../store/trace-view';

const BAR = 18;
const GAP = 8;
const LABEL = 200;
const WIDTH = 760;
const TOP = 18;

function times(bytes: number, limit: number): string {
  return limit > 0 ? `${(bytes / limit).toFixed(1)}× the limit` : '';
}

/** The traced image's bar in three parts: base, used, unused (hatched). */
function TracedBar({ report, y, width }: { report: TraceReport; y: number; width: number }) {
  const total = Math.max(1, report.shippedBytes);
  const base = (report.baseBytes / total) * width;
  const used = (report.usedBytes / total) * width;
  const unused = Math.max(0, width - base - used);
  return (
    <>
      <rect x={LABEL} y={y} width={base} height={BAR} className="trace-base" />
      <rect x={LABEL + base} y={y} width={used} height={BAR} className="trace-used" />
      <rect
        x={LABEL + base + used}
        y={y}
        width={unused}
        height={BAR}
        fill="url(#trace-unused-hatch)"
        className="trace-unused"
      />
    </>
  );
}

/**
 * Used, shipped, base and limit in words, then a picture: each variant's measured size as a bar
 * against the limit (a dashed line), the traced image split into base, used and unused.
 */
export function TraceFigures({
  report,
  choices,
  record,
}: {
  report: TraceReport;
  choices: TraceChoice[];
  record: Pick<TraceRecord, 'report' | 'variant' | 'imageId' | 'verified' | 'suggestion'>;
}) {
  const bars: LimitBar[] = traceSelectors.limitBars(record, choices);
  const unused = traceSelectors.unusedBytes(report);
  const largest = Math.max(report.limitBytes, ...bars.map((b) => b.bytes), 1);
  const space = WIDTH - LABEL - 90;
  const unit = sizeScale(bars.map((b) => b.bytes));
  const height = TOP + bars.length * (BAR + GAP) + GAP;
  const limitX = LABEL + (report.limitBytes / largest) * space;
  return (
    <div className="trace-figures-block">
      <div role="group" aria-label="Figures" className="trace-figures">
        <dl>
          <div>
            <dt>Used</dt>
            <dd>{formatSize(report.usedBytes)}</dd>
            <dd className="muted">files the checks opened, ran or listed</dd>
          </div>
          <div>
            <dt>Shipped</dt>
            <dd>{formatSize(report.shippedBytes)}</dd>
            <dd className="muted">{formatSize(unused)} of it no check used</dd>
          </div>
          <div>
            <dt>Base</dt>
            <dd>{formatSize(report.baseBytes)}</dd>
            <dd className="muted">the runtime base image, kept whole</dd>
          </div>
          <div>
            <dt>Limit</dt>
            <dd>
              <strong>{formatSize(report.limitBytes)}</strong>
            </dd>
            <dd className="muted">used + base: the smallest image these checks allow</dd>
          </div>
        </dl>
      </div>
      <svg
        role="img"
        aria-label={`Measured size of each variant against the limit of ${formatSize(report.limitBytes)}: ${bars
          .map((b) => `${b.label} ${formatSize(b.bytes)} (${times(b.bytes, report.limitBytes)})`)
          .join(', ')}`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        className="trace-limit-chart"
      >
        <HatchPattern
          id="trace-unused-hatch"
          backgroundClass="trace-unused-bg"
          lineClass="trace-unused-line"
        />
        {bars.map((bar, i) => {
          const y = TOP + i * (BAR + GAP);
          const w = Math.max(1, (bar.bytes / largest) * space);
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${formatSize(bar.bytes)}, ${times(bar.bytes, report.limitBytes)}`}</title>
              <text x={0} y={y + BAR - 5} className="chart-label">
                {bar.label.length > 30 ? `${bar.label.slice(0, 29)}…` : bar.label}
              </text>
              {bar.traced ? (
                <TracedBar report={report} y={y} width={w} />
              ) : (
                <rect x={LABEL} y={y} width={w} height={BAR} rx={3} className="chart-bar" />
              )}
              <text x={LABEL + w + 6} y={y + BAR - 5} className="chart-value">
                {formatSizeIn(bar.bytes, unit)}
              </text>
            </g>
          );
        })}
        <line x1={limitX} x2={limitX} y1={TOP - 4} y2={height} className="trace-limit-line" />
        <text x={limitX} y={12} className="chart-value" textAnchor="middle">
          {`limit ${formatSize(report.limitBytes)}`}
        </text>
      </svg>
      <ul className="trace-legend" aria-label="Legend">
        <li>
          <span className="trace-swatch trace-swatch-base" aria-hidden="true" /> base
        </li>
        <li>
          <span className="trace-swatch trace-swatch-used" aria-hidden="true" /> used by the checks
        </li>
        <li>
          <span className="trace-swatch trace-swatch-unused" aria-hidden="true" /> unused (hatched)
        </li>
        <li>
          <span className="trace-swatch trace-swatch-limit" aria-hidden="true" /> the limit (dashed)
        </li>
      </ul>
    </div>
  );
}
