import { formatSize, formatSizeColumn, formatSizeDelta } from '../../../../shared/format/size';
import { useApp } from '../../store';
import { serviceSummary, smokeSummary, startupText } from '../../store/build-view';
import type { BaselineChoice, BuildGroup } from '../../store/results-view';
import { baselineOf, environmentLayerBytes, estimatedBytes } from '../../store/results-view';
import type { ComparisonEntry } from '../../store/selectors';
import { traceSelectors } from '../../store/trace-view';

/** "+8.6 MiB (+9%)": how far the measured environment is from the Image screen's estimate. */
function estimateGap(estimate: number | undefined, measured: number | undefined): string {
  if (estimate === undefined || measured === undefined || estimate === 0) return '';
  const pct = Math.round(((measured - estimate) / estimate) * 100);
  return `${formatSizeDelta(measured - estimate)} (${pct > 0 ? '+' : ''}${pct}%)`;
}

/** The physical limit under a traced image's total: no image passing its checks is smaller. */
function LimitNote({ limit }: { limit: number | undefined }) {
  if (limit === undefined) return null;
  return (
    <span
      className="muted limit-note"
      title="The physical limit measured by tracing this image: the files its checks used plus the runtime base"
    >
      {' '}
      limit {formatSize(limit)}
    </span>
  );
}

/**
 * The variants of the shown builds, one row group per build (latest first): total, difference to
 * the baseline, the environment as estimated before the build and as measured in the image, layers,
 * smoke test. Long errors wrap inside their cell.
 */
export function VariantTable({
  groups,
  choice,
  all,
  baselineName,
}: {
  groups: BuildGroup[];
  choice: BaselineChoice;
  all: ComparisonEntry[];
  baselineName: string;
}) {
  const savings = useApp((s) => s.savings);
  const traces = useApp((s) => s.traces);
  const rows = groups.flatMap((g) => g.entries.map((entry) => ({ group: g, entry })));
  const built = (e: ComparisonEntry) => e.result.state === 'succeeded';
  const totals = formatSizeColumn(
    rows.map(({ entry }) => (built(entry) ? entry.result.totalBytes : undefined)),
  );
  const deltas = rows.map(({ group, entry }) => {
    const base = baselineOf(entry, group, choice, all);
    return base && built(entry) ? entry.result.totalBytes - base.result.totalBytes : undefined;
  });
  const deltaText = formatSizeColumn(deltas, { signed: true });
  const measured = rows.map(({ entry }) =>
    built(entry) ? environmentLayerBytes(entry.result.layers) : undefined,
  );
  const estimates = rows.map(({ entry }) =>
    estimatedBytes(savings, entry.result.variant, entry.result.rules),
  );
  const measuredText = formatSizeColumn(measured);
  const estimateText = formatSizeColumn(estimates);
  // Start-up time sits beside the size, so a bytecode setting's trade is visible.
  const checked = rows.some(({ entry }) => entry.result.service || entry.result.serviceSkipped);
  const columns = checked ? 9 : 7;
  let index = 0;
  return (
    <table aria-label="Variants compared" className="results-table">
      <thead>
        <tr>
          <th scope="col">Variant</th>
          <th scope="col" className="num">
            Total
          </th>
          <th scope="col" className="num">
            <span title={`Compared with: ${baselineName}`}>vs. baseline</span>
          </th>
          <th scope="col" className="num">
            <span title="The environment as the Image screen estimated it from the current lock">
              Estimated env.
            </span>
          </th>
          <th scope="col" className="num">
            <span title="The environment layer as measured in the built image">Measured env.</span>
          </th>
          <th scope="col" className="num">
            Layers
          </th>
          {checked ? (
            <th scope="col" className="num">
              Start-up
            </th>
          ) : null}
          <th scope="col">Smoke test</th>
          {checked ? <th scope="col">Service</th> : null}
        </tr>
      </thead>
      {groups.map((group) => (
        <tbody key={group.buildId} aria-label={group.title}>
          <tr className="group-row">
            <th scope="rowgroup" colSpan={columns}>
              {group.title}
              {group.imagesRemoved ? <span className="muted"> · images removed</span> : null}
              {group.state === 'failed' ? (
                <span className="error-text"> · some variants failed</span>
              ) : null}
            </th>
          </tr>
          {group.entries.map((entry) => {
            const i = index++;
            const base = baselineOf(entry, group, choice, all);
            return (
              <tr
                key={entry.key}
                className={entry.result.state === 'succeeded' ? undefined : 'row-failed'}
              >
                <th scope="row" className="variant-cell">
                  {entry.result.variant}
                  {entry.result.bytecode ? ` (bytecode ${entry.result.bytecode})` : ''}
                  {base ? null : built(entry) ? <span className="muted"> (baseline)</span> : null}
                </th>
                <td className="num">
                  {totals[i]}
                  <LimitNote limit={traceSelectors.limitFor({ traces }, entry.result.imageId)} />
                </td>
                <td className="num" title={base ? `vs. ${base.label}` : undefined}>
                  {deltas[i] === undefined ? '' : deltaText[i]}
                </td>
                <td className="num">{estimates[i] === undefined ? '' : estimateText[i]}</td>
                <td
                  className="num"
                  title={
                    estimateGap(estimates[i], measured[i])
                      ? `measured − estimated: ${estimateGap(estimates[i], measured[i])}`
                      : undefined
                  }
                >
                  {measured[i] === undefined ? '' : measuredText[i]}
                  {estimateGap(estimates[i], measured[i]) ? (
                    <span className="muted estimate-gap">
                      {' '}
                      {estimateGap(estimates[i], measured[i])}
                    </span>
                  ) : null}
                </td>
                <td className="num">{built(entry) ? entry.result.layers.length : ''}</td>
                {checked ? <td className="num">{startupText(entry.result)}</td> : null}
                <td className={`smoke-${entry.result.smoke} wrap-cell`}>
                  {entry.result.state === 'succeeded'
                    ? smokeSummary(entry.result)
                    : entry.result.state === 'cancelled'
                      ? 'cancelled'
                      : `build failed${entry.result.error ? `: ${entry.result.error}` : ''}`}
                </td>
                {checked ? <td className="wrap-cell">{serviceSummary(entry.result)}</td> : null}
              </tr>
            );
          })}
        </tbody>
      ))}
    </table>
  );
}
