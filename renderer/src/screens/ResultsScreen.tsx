import { formatSizeColumn, sizeScale } from '../../../shared/format/size';
import { LayerChart, TotalsChart } from '../components/Charts';
import { EngineImages } from '../components/EngineImages';
import { EmptyState } from '../components/Notice';
import { PushPanel } from '../components/PushPanel';
import { useApp } from '../store';
import type { VariantView } from '../store/build-view';
import { serviceSummary, smokeSummary, startupText } from '../store/build-view';
import { buildSelectors } from '../store/selectors';

/** Size difference to the first built entry in bytes; undefined for the baseline itself. */
function delta(result: VariantView, baseline: VariantView | undefined): number | undefined {
  if (!baseline || result === baseline || result.state !== 'succeeded') return undefined;
  return result.totalBytes - baseline.totalBytes;
}

/** Layer charts per variant filling in live, totals, past builds side by side, smoke tests. */
export function ResultsScreen() {
  const buildJobId = useApp((s) => s.buildJobId);
  const jobs = useApp((s) => s.jobs);
  const history = useApp((s) => s.history);
  const setExportOpen = useApp((s) => s.setExportOpen);
  const syncedBuildJobs = useApp((s) => s.syncedBuildJobs);
  const entries = buildSelectors.comparison({ buildJobId, jobs, history, syncedBuildJobs });
  const charted = buildSelectors.charted(entries);
  const scale = buildSelectors.scale(charted);
  const baseline = charted[0]?.result;
  const running = buildSelectors.isBuilding({ buildJobId, jobs });
  // One unit per column (and one for every layer chart), so the numbers line up and compare.
  const totals = formatSizeColumn(entries.map((e) => e.result.totalBytes));
  const deltas = formatSizeColumn(
    entries.map((e) => delta(e.result, baseline)),
    { signed: true },
  );
  const layerUnit = sizeScale(charted.flatMap((e) => e.result.layers.map((l) => l.bytes)));
  // Start-up time sits beside the size, so a bytecode setting's trade is visible.
  const checked = entries.some((e) => e.result.service || e.result.serviceSkipped);

  if (entries.length === 0) {
    return (
      <section className="screen" aria-labelledby="results-title">
        <h2 id="results-title">Results</h2>
        <EmptyState title={running ? 'Waiting for the first variant' : 'No results yet'}>
          <p>
            {running
              ? 'Each variant appears here as soon as its image is built.'
              : 'Build at least one variant on the Build screen; sizes and layers show up here.'}
          </p>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="results-title">
      <h2 id="results-title">Results</h2>
      <div className="row">
        <button type="button" className="primary" onClick={() => setExportOpen(true)}>
          Export…
        </button>
        {running ? <span role="status">Build running: more variants will appear.</span> : null}
      </div>
      <div className="card">
        <h3>Total size</h3>
        <TotalsChart entries={charted} scale={scale} />
      </div>
      <table aria-label="Variants compared">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col" className="num">
              vs. first
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
        <tbody>
          {entries.map((e, i) => (
            <tr key={e.key}>
              <td className="nowrap">
                {e.label}
                {e.result.bytecode ? ` (bytecode ${e.result.bytecode})` : ''}
              </td>
              <td className="num">{totals[i]}</td>
              <td className="num">{delta(e.result, baseline) === undefined ? '' : deltas[i]}</td>
              <td className="num">{e.result.layers.length}</td>
              {checked ? <td className="num">{startupText(e.result)}</td> : null}
              <td className={`smoke-${e.result.smoke}`} title={e.result.smokeMessage}>
                {smokeSummary(e.result)}
                {e.result.error ? ` (build failed: ${e.result.error})` : ''}
              </td>
              {checked ? <td>{serviceSummary(e.result)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        Layers{' '}
        <span className="muted heading-note">
          one scale for every variant; hover a layer, or reach it with Tab, for its whole
          instruction
        </span>
      </h3>
      <div className="chart-grid">
        {charted.map((e) => (
          <LayerChart
            key={e.key}
            title={e.label}
            layers={e.result.layers}
            scale={scale}
            unit={layerUnit}
          />
        ))}
      </div>
      <EngineImages />
      <PushPanel />
    </section>
  );
}
