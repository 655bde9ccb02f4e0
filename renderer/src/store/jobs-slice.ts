import type { BuildEvents, BuildStep, VariantResult } from '../../../shared/api/build';
import type { PushProgressEvent } from '../../../shared/api/delivery';
import type { ErrorInfo } from '../../../shared/api/errors';
import { fromErrorInfo } from '../../../shared/api/errors';
import type { JobEvent, JobKind } from '../../../shared/api/jobs';
import type { TraceReport } from '../../../shared/trace/model';
import { describeError } from '../lib/format';
import { LogBuffer } from './log-buffer';
import { describeTraceError } from './trace-view';
import type { AppState, JobsSlice, JobView, SliceCreator, StepView } from './types';

function emptyJob(jobId: string, job: JobKind): JobView {
  return { jobId, job, state: 'running', lastSeq: 0, steps: [], variants: [], logLines: 0 };
}

function logText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { line?: unknown; text?: unknown; lines?: unknown };
  if (typeof d.line === 'string') return d.line;
  if (typeof d.text === 'string') return d.text;
  if (Array.isArray(d.lines)) return d.lines.filter((l) => typeof l === 'string').join('\n');
  return undefined;
}

function time(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A BuildStep event (a BuildKit vertex) merged into the timeline; the latest event of a step wins. */
function mergeStep(steps: StepView[], data: Partial<BuildStep>): StepView[] {
  if (typeof data.id !== 'string') return steps;
  const index = steps.findIndex((s) => s.id === data.id);
  const previous = index >= 0 ? steps[index] : undefined;
  const step: StepView = {
    id: data.id,
    name: data.name ?? previous?.name ?? data.id,
    state: data.error
      ? 'failed'
      : data.cached
        ? 'cached'
        : data.completed
          ? 'done'
          : (data.started ?? previous?.startedAt) !== undefined
            ? 'running'
            : 'waiting',
  };
  const startedAt = time(data.started) ?? previous?.startedAt;
  const completedAt = time(data.completed) ?? previous?.completedAt;
  if (startedAt !== undefined) step.startedAt = startedAt;
  if (completedAt !== undefined) step.completedAt = completedAt;
  if (data.error) step.error = data.error;
  if (index < 0) return [...steps, step];
  const next = [...steps];
  next[index] = step;
  return next;
}

/**
 * When a job ends, no step may still read "running" or "waiting": a cancel stops them; an engine
 * failure fails the step that was running (unless a step already carries the error) and leaves the
 * rest not run.
 */
export function settleSteps(steps: StepView[], outcome: JobView['state']): StepView[] {
  if (outcome === 'running') return steps;
  const blamed = steps.some((s) => s.state === 'failed');
  return steps.map((step) => {
    if (step.state !== 'running' && step.state !== 'waiting') return step;
    if (outcome === 'succeeded') return { ...step, state: 'done' };
    if (outcome === 'failed' && step.state === 'running' && !blamed) {
      return { ...step, state: 'failed' };
    }
    return { ...step, state: 'cancelled' };
  });
}

/** Applies one event to a job view (pure apart from the log buffer), returning the new view. */
export function applyJobEvent(view: JobView, event: JobEvent, log: LogBuffer): JobView {
  switch (event.kind) {
    case 'log': {
      const text = logText(event.data);
      if (text !== undefined) log.append(text);
      return { ...view, logLines: log.length };
    }
    case 'progress': {
      const progress = event.data as NonNullable<JobView['progress']>;
      // A trace's steps report a fraction, their sub-steps (locking strace, building the suggested
      // variant) only a message: the bar keeps its place instead of flipping to indeterminate and
      // jumping back.
      const before = view.job === 'trace' ? view.progress?.fraction : undefined;
      if (before === undefined) return { ...view, progress };
      return {
        ...view,
        progress: { ...progress, fraction: Math.max(before, progress.fraction ?? before) },
      };
    }
    case 'push': {
      // The latest layer state is the progress people read.
      const p = event.data as PushProgressEvent;
      const where = p.layer ? `${p.tag} layer ${p.layer}` : p.tag;
      return {
        ...view,
        progress: {
          message: `${where}: ${p.status}`,
          ...(p.total ? { fraction: Math.min(1, (p.current ?? 0) / p.total) } : {}),
        },
      };
    }
    case 'report':
      // A trace's report comes before `done`: the suggested variant may still be building.
      return view.job === 'trace' ? { ...view, report: event.data as TraceReport } : view;
    case 'step':
      return { ...view, steps: mergeStep(view.steps, event.data as Partial<BuildStep>) };
    case 'variant': {
      const result = event.data as VariantResult;
      return { ...view, variants: [...view.variants.filter((v) => v.id !== result.id), result] };
    }
    case 'smoke': {
      // The smoke test may report after its variant: attach it.
      const { variant, result } = event.data as BuildEvents['smoke'];
      return {
        ...view,
        variants: view.variants.map((v) => (v.id === variant ? { ...v, smoke: result } : v)),
      };
    }
    case 'done':
      return {
        ...view,
        state: 'succeeded',
        progress: undefined,
        result: event.data,
        steps: settleSteps(view.steps, 'succeeded'),
      };
    case 'failed':
      return {
        ...view,
        state: 'failed',
        progress: undefined,
        steps: settleSteps(view.steps, 'failed'),
        // The service's message plus what to do next, chosen by the error code (and the job).
        error:
          view.job === 'trace'
            ? describeTraceError(event.data as ErrorInfo)
            : describeError(fromErrorInfo(event.data as ErrorInfo)),
      };
    case 'cancelled':
      return {
        ...view,
        state: 'cancelled',
        progress: undefined,
        steps: settleSteps(view.steps, 'cancelled'),
      };
    default:
      return view;
  }
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);

/** Reloads what a finished job changed. */
function afterJob(get: () => AppState, view: JobView): void {
  const state = get();
  if (view.job === 'analyze') {
    if (view.state === 'succeeded') state.analyzeFinished(view.jobId, view.result);
    return;
  }
  const reload =
    view.job === 'lock'
      ? state.lockFinished()
      : view.job === 'build'
        ? state.buildFinished(view.jobId)
        : view.job === 'trace' && view.state === 'succeeded'
          ? state.traceFinished(view.result)
          : Promise.resolve();
  reload.catch((error: unknown) => console.error('reload after job failed', error));
}

export const createJobsSlice: SliceCreator<JobsSlice> =
  ({ api, schedule }) =>
  (set, get) => {
    const queue: JobEvent[] = [];
    let scheduled = false;
    const flushLater =
      schedule ??
      ((flush: () => void) => {
        if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
        else setTimeout(flush, 16);
      });
    const flush = () => {
      scheduled = false;
      const events = queue.splice(0, queue.length);
      get().receiveEvents(events);
    };
    // Subscribed for the store's whole life, so every job's events are kept even while its screen is closed.
    api.onJobEvent((event) => {
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        flushLater(flush);
      }
    });
    return {
      jobs: {},
      logs: new Map(),
      logTick: 0,
      trackJob(jobId, job) {
        const { jobs } = get();
        if (!jobs[jobId]) set({ jobs: { ...jobs, [jobId]: emptyJob(jobId, job) } });
      },
      receiveEvents(events) {
        if (events.length === 0) return;
        const { logs } = get();
        const jobs = { ...get().jobs };
        const finished: JobView[] = [];
        for (const event of events) {
          const view = jobs[event.jobId] ?? emptyJob(event.jobId, event.job);
          // The same event can arrive twice (live and from a replay): seq tells.
          if (event.seq <= view.lastSeq) continue;
          let log = logs.get(event.jobId);
          if (!log) {
            log = new LogBuffer();
            logs.set(event.jobId, log);
          }
          const next = { ...applyJobEvent(view, event, log), lastSeq: event.seq };
          jobs[event.jobId] = next;
          if (TERMINAL.has(event.kind)) finished.push(next);
        }
        set({ jobs, logTick: get().logTick + 1 });
        for (const view of finished) afterJob(get, view);
        const changed = events
          .filter((e) => e.job === 'watch' && e.kind === 'changed')
          .flatMap((e) => (e.data as { files?: string[] }).files ?? []);
        if (changed.length) {
          get()
            .filesChanged([...new Set(changed)])
            .catch((error: unknown) => console.error('reload after a file change failed', error));
        }
      },
    };
  };
