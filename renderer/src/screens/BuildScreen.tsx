import { useState } from 'react';

import { LogView } from '../components/LogView';
import { EmptyState, ErrorNote } from '../components/Notice';
import { useApp } from '../store';
import { smokeSummary, toVariantView } from '../store/build-view';
import { buildSelectors, recipeSelectors } from '../store/selectors';
import type { StepView } from '../store/types';
import { SmokeFields } from './SmokeFields';

function duration(step: StepView): string {
  if (step.state === 'cached') return 'cached';
  if (step.startedAt === undefined) return '';
  const end = step.completedAt ?? Date.now();
  return `${((end - step.startedAt) / 1000).toFixed(1)} s`;
}

/** Where a step sits on the build's time axis, as fractions of the whole span (0..1). */
export function stepSpans(
  steps: StepView[],
  now: number,
): Map<string, { left: number; width: number }> {
  const timed = steps.filter((s) => s.startedAt !== undefined);
  const spans = new Map<string, { left: number; width: number }>();
  if (timed.length === 0) return spans;
  const start = Math.min(...timed.map((s) => s.startedAt!));
  const end = Math.max(...timed.map((s) => s.completedAt ?? now));
  const total = Math.max(1, end - start);
  for (const step of timed) {
    const left = (step.startedAt! - start) / total;
    const width = ((step.completedAt ?? now) - step.startedAt!) / total;
    spans.set(step.id, { left, width: Math.min(1 - left, width) });
  }
  return spans;
}

function Timeline({ steps }: { steps: StepView[] }) {
  if (steps.length === 0)
    return <p className="muted">Steps appear here as the build reaches them.</p>;
  // "Now" is the newest time any step reported: rendering stays pure, and running steps grow with events.
  const latest = Math.max(0, ...steps.flatMap((s) => [s.startedAt ?? 0, s.completedAt ?? 0]));
  const spans = stepSpans(steps, latest);
  return (
    <ol className="timeline" aria-label="Build steps">
      {steps.map((step) => (
        <li key={step.id} className={`step step-${step.state}`}>
          <span className="step-state" aria-hidden="true">
            {step.state === 'running' ? '●' : step.state === 'error' ? '✕' : '✓'}
          </span>
          {/* Long RUN lines are cut to three lines; the whole instruction shows on hover. */}
          <span className="step-name" title={step.name}>
            {step.name}
          </span>
          <span className="muted">
            {step.state === 'error'
              ? 'failed'
              : step.state === 'running'
                ? 'running'
                : duration(step)}
          </span>
          {step.error ? <span className="error-text step-error-text">{step.error}</span> : null}
          {spans.has(step.id) ? (
            // The durations are in the text; the bar shows when each step ran and what overlapped.
            <span className="step-track" aria-hidden="true">
              <span
                className="step-bar"
                style={{
                  marginLeft: `${(spans.get(step.id)!.left * 100).toFixed(2)}%`,
                  width: `max(2px, ${(spans.get(step.id)!.width * 100).toFixed(2)}%)`,
                }}
              />
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** Choose variants, build, watch the steps and the log, cancel. */
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
  const job = buildSelectors.buildJob({ buildJobId, jobs });
  const running = job?.state === 'running';
  const variants = recipeSelectors.variantIds({ recipe });
  const chosen = variants.filter((n) => !skipped.has(n));

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
      {job ? (
        <>
          {job.state === 'failed' ? (
            <>
              <p role="status">Build failed.</p>
              <ErrorNote message={job.error ?? 'See the log below for the failing step.'} />
            </>
          ) : (
            <p role="status">
              {job.state === 'running'
                ? (job.progress?.message ?? 'Building…')
                : job.state === 'succeeded'
                  ? `Build finished: ${job.variants.length} variant(s).`
                  : 'Build cancelled.'}
            </p>
          )}
          {job.variants.length > 0 ? (
            <ul aria-label="Smoke tests" className="muted">
              {job.variants.map((v) => (
                <li key={v.id}>
                  {v.id}: {smokeSummary(toVariantView(v, job.state === 'running'))}
                </li>
              ))}
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
