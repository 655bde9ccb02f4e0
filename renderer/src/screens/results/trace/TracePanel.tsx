import { useEffect, useState } from 'react';

import { useApp } from '../../../store';
import { traceSelectors } from '../../../store/trace-view';
import { TraceFigures } from './TraceFigures';
import { TraceFindings } from './TraceFindings';
import { TraceProgress } from './TraceProgress';
import { TraceSuggestion } from './TraceSuggestion';
import { TraceTreemap } from './TraceTreemap';

const log = (error: unknown) => console.error(error);

/**
 * "What does the image use?": trace a variant of the latest successful build (its checks run again
 * under strace), then what it used against what it ships, and the suggested `traced` variant.
 */
export function TracePanel() {
  const projectDir = useApp((s) => s.project?.dir);
  const history = useApp((s) => s.history);
  const traces = useApp((s) => s.traces);
  const tracesError = useApp((s) => s.tracesError);
  const traceJobId = useApp((s) => s.traceJobId);
  const traceRequest = useApp((s) => s.traceRequest);
  const traceError = useApp((s) => s.traceError);
  const jobs = useApp((s) => s.jobs);
  const recipe = useApp((s) => s.recipe);
  const platform = recipe?.platform;
  const loadTraces = useApp((s) => s.loadTraces);
  const startTrace = useApp((s) => s.startTrace);
  const cancelJob = useApp((s) => s.cancelJob);
  const [picked, setPicked] = useState<string | undefined>(undefined);

  useEffect(() => {
    loadTraces().catch(log);
  }, [loadTraces, projectDir]);

  const choices = traceSelectors.choices({ history, recipe });
  const variant =
    picked && choices.some((c) => c.id === picked)
      ? picked
      : traceSelectors.defaultChoice({ history, traces, recipe });
  const busy = traceSelectors.isTracing({ traceJobId, jobs });
  const view = variant
    ? traceSelectors.view({ traces, traceJobId, traceRequest, traceError, jobs }, variant)
    : undefined;
  const start = (suggest: boolean) => {
    if (!variant) return;
    setPicked(variant);
    startTrace(variant, { suggest }).catch(log);
  };

  return (
    <section className="card trace-panel" aria-labelledby="trace-title">
      <h3 id="trace-title">What does the image use?</h3>
      <p className="muted">
        Tracing runs a variant&apos;s checks again under strace and compares the files they used
        with what the image ships. The used files plus the runtime base are the limit: no image that
        keeps these checks passing can be smaller.
      </p>
      {choices.length === 0 || !variant || !view ? (
        <p className="muted">Build a variant first: only a built image can be traced.</p>
      ) : (
        <>
          <div className="row row-center">
            <label>
              Variant{' '}
              <select value={variant} disabled={busy} onChange={(e) => setPicked(e.target.value)}>
                {choices.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.id}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="primary" disabled={busy} onClick={() => start(false)}>
              Trace
            </button>
            {busy && traceJobId ? (
              <button
                type="button"
                onClick={() => {
                  cancelJob(traceJobId).catch(log);
                }}
              >
                Cancel trace
              </button>
            ) : null}
          </div>
          {view.phase === 'running' ? (
            <TraceProgress
              variant={variant}
              suggesting={view.suggesting}
              {...(view.progress ? { progress: view.progress } : {})}
            />
          ) : null}
          {view.phase === 'failed' ? (
            <p role="alert" className="error-note">
              {view.error}
            </p>
          ) : null}
          {view.phase === 'cancelled' ? (
            <p role="status">
              Trace cancelled
              {view.record ? ': the last stored trace is shown below.' : '; nothing was stored.'}
            </p>
          ) : null}
          {tracesError ? (
            <p className="muted">Stored traces could not be read: {tracesError}</p>
          ) : null}
          {view.report ? (
            <>
              {view.record ? (
                <p className="muted">
                  Traced {view.record.tracedAt.slice(0, 16).replace('T', ' ')}, image{' '}
                  <code>{view.record.imageId.replace(/^sha256:/, '').slice(0, 12)}</code>
                </p>
              ) : null}
              <TraceFigures
                report={view.report}
                choices={choices}
                record={
                  view.record ?? {
                    report: view.report,
                    variant,
                    imageId: choices.find((c) => c.id === variant)?.imageId ?? '',
                  }
                }
              />
              <TraceTreemap report={view.report} platform={platform ?? 'linux-64'} />
              <TraceFindings report={view.report} />
              <TraceSuggestion view={view} busy={busy} onCreate={() => start(true)} />
            </>
          ) : view.phase !== 'running' ? (
            <p className="muted">
              {variant} has not been traced yet. Trace it to see which files its checks use.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
