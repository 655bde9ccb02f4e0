import { useState } from 'react';

import { sizeScale } from '../../../../shared/format/size';
import { LayerChart, TotalsChart } from '../../components/Charts';
import { EngineImages } from '../../components/EngineImages';
import { EmptyState } from '../../components/Notice';
import { PushPanel } from '../../components/PushPanel';
import { useApp } from '../../store';
import type { BaselineChoice } from '../../store/results-view';
import { baselineLabel, groupByBuild } from '../../store/results-view';
import { buildSelectors } from '../../store/selectors';
import { FoldedBuilds } from './FoldedBuilds';
import { TracePanel } from './trace/TracePanel';
import { VariantTable } from './VariantTable';

/** Latest build first, grouped by build, compared with an explicit baseline; charts; images. */
export function ResultsScreen() {
  const buildJobId = useApp((s) => s.buildJobId);
  const jobs = useApp((s) => s.jobs);
  const history = useApp((s) => s.history);
  const syncedBuildJobs = useApp((s) => s.syncedBuildJobs);
  const [choice, setChoice] = useState<BaselineChoice>('auto');
  const entries = buildSelectors.comparison({ buildJobId, jobs, history, syncedBuildJobs });
  const job = buildSelectors.buildJob({ buildJobId, jobs });
  const builds = new Map(history.map((b) => [b.id, b]));
  const { shown, folded } = groupByBuild(entries, builds, job?.state);
  const shownEntries = shown.flatMap((g) => g.entries);
  const charted = buildSelectors.charted(shownEntries);
  const scale = buildSelectors.scale(charted);
  const running = buildSelectors.isBuilding({ buildJobId, jobs });
  const latest = shown[0];
  const latestCharted = latest ? buildSelectors.charted(latest.entries) : [];
  const layerUnit = sizeScale(latestCharted.flatMap((e) => e.result.layers.map((l) => l.bytes)));
  // A chosen baseline that has gone (folded, or beyond the history) falls back to the default.
  const baseline = charted.some((e) => e.key === choice) ? choice : 'auto';

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
      <div className="row row-center">
        <label>
          Compare with{' '}
          <select value={baseline} onChange={(e) => setChoice(e.target.value)}>
            <option value="auto">the unpruned variant of the same build</option>
            {charted.map((e) => (
              <option key={e.key} value={e.key}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        {running ? <span role="status">Build running: more variants will appear.</span> : null}
      </div>
      {shown.length > 0 ? (
        <>
          <div className="card">
            <h3>Total size</h3>
            <TotalsChart entries={charted} scale={scale} />
          </div>
          <VariantTable
            groups={shown}
            choice={baseline}
            all={charted}
            baselineName={baselineLabel(baseline, charted)}
          />
        </>
      ) : (
        <EmptyState title="No image built yet">
          <p>Every build so far failed or was cancelled; they are listed below.</p>
        </EmptyState>
      )}
      <FoldedBuilds groups={folded} />
      {latest && latestCharted.length > 0 ? (
        <>
          <h3>
            Layers of {latest.title.toLowerCase()}{' '}
            <span className="muted heading-note">
              one scale for every variant; hover a layer, or reach it with Tab, for its whole
              instruction
            </span>
          </h3>
          <div className="chart-grid">
            {latestCharted.map((e) => (
              <LayerChart
                key={e.key}
                title={e.result.variant}
                layers={e.result.layers}
                scale={scale}
                unit={layerUnit}
              />
            ))}
          </div>
        </>
      ) : null}
      {shown.length > 0 ? <TracePanel /> : null}
      <EngineImages />
      <PushPanel />
    </section>
  );
}
