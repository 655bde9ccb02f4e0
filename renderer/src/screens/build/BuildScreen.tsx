import { useState } from 'react';

import { LogView } from '../../components/LogView';
import { EmptyState, ErrorNote } from '../../components/Notice';
import { useApp } from '../../store';
import { buildOutcome, smokeSummary, toVariantView } from '../../store/build-view';
import { buildSelectors, recipeSelectors } from '../../store/selectors';
import { LiveLayers } from './LiveLayers';
import { SmokeFields } from './SmokeFields';
import { Timeline } from './Timeline';

/** Choose variants, build, watch the steps, the layers and the log, cancel. */
export function BuildScreen() {
  const recipe = useApp((s) => s.recipe);
  const locked = useApp((s) => s.lockStatus?.locked === true);
  const buildJobId = useApp((s) => s.buildJobId);
  const jobs = useApp((s) => s.jobs);
  const logs = useApp((s) => s.logs);
  const logTick = useApp((s) => s.logTick);
  const error = useApp((s) => s.buildError);
  const startBuild = useApp((s) => s.startBuild);
  const cancelJob = useApp((s) => s.cancelJob);
  const go = useApp((s) => s.go);
  const [skipped, setSkipped] = useState<Set<string>>(new Set());
  const building = useApp((s) => s.buildVariants);
  const job = buildSelectors.buildJob({ buildJobId, jobs });
  const running = job?.state === 'running';
  const variants = recipeSelectors.variantIds({ recipe });
  const chosen = variants.filter((n) => !skipped.has(n));
  const outcome = job ? buildOutcome(job) : undefined;

  return (
    <section className="screen" aria-labelledby="build-title">
      <h2 id="build-title">Build</h2>
      {!locked ? (
        <ErrorNote message="The environment is not locked: lock it on the Lock screen before building." />
      ) : null}
      <div className="card row">
        <fieldset className="row">
          <legend>Variants to build</legend>
          {variants.map((id) => (
            <label key={id} className="check">
              <input
                type="checkbox"
                checked={!skipped.has(id)}
                onChange={(e) => {
                  const next = new Set(skipped);
                  if (e.target.checked) next.delete(id);
                  else next.add(id);
                  setSkipped(next);
                }}
              />
              {id}
            </label>
          ))}
        </fieldset>
        <SmokeFields />
        <button
          type="button"
          className="primary"
          disabled={running || !locked || chosen.length === 0}
          onClick={() => void startBuild(chosen)}
        >
          {chosen.length > 1 ? `Start build of ${chosen.length} variants` : 'Start build'}
        </button>
        {running && job ? (
          <button type="button" onClick={() => void cancelJob(job.jobId)}>
            Cancel build
          </button>
        ) : null}
      </div>
      <ErrorNote message={error} />
      {job && outcome ? (
        <>
          <p
            role="status"
            aria-label="Build status"
            className={`build-status build-status-${outcome.tone}`}
          >
            {outcome.text}
          </p>
          {job.state === 'failed' ? (
            <ErrorNote message={job.error ?? 'See the log below for the failing step.'} />
          ) : null}
          {job.variants.length > 0 ? (
            <ul aria-label="Smoke tests" className="muted">
              {job.variants.map((v) => {
                const view = toVariantView(v, job.state === 'running');
                return (
                  <li key={v.id} className={view.smoke === 'failed' ? 'smoke-failed' : undefined}>
                    {v.id}: {smokeSummary(view)}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {job.state === 'succeeded' ? (
            <button type="button" onClick={() => go('results')}>
              See results
            </button>
          ) : null}
          <div className="columns build-columns">
            <div className="card">
              <h3>Steps</h3>
              <Timeline steps={job.steps} />
            </div>
            <div className="card">
              <h3>Log</h3>
              <LogView
                key={job.jobId}
                buffer={logs.get(job.jobId)}
                tick={logTick}
                label="Build log"
                emptyText={
                  job.state === 'running'
                    ? 'Waiting for the first output…'
                    : 'The build printed no output (steps from the cache print nothing).'
                }
              />
            </div>
          </div>
          <LiveLayers job={job} variants={building} />
        </>
      ) : (
        <EmptyState title="No build yet">
          <p>
            Pick the variants and press Start build. Logs stay here while you look at other screens.
          </p>
        </EmptyState>
      )}
    </section>
  );
}
