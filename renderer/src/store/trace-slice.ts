import { isCondenseError } from '../../../shared/api/errors';
import type { TraceRecord } from '../../../shared/api/trace';
import { describeError } from '../lib/format';
import { describeTraceError } from './trace-view';
import type { SliceCreator, TraceSlice } from './types';

/**
 * Tracing as a job (`trace:start`): progress, the report, then the record; the stored traces come
 * from `trace:list`. What the panel shows is derived in `traceSelectors`.
 */
export const createTraceSlice: SliceCreator<TraceSlice> =
  ({ api }) =>
  (set, get) => ({
    traces: [],
    async loadTraces() {
      const dir = get().project?.dir;
      if (!dir) return;
      try {
        const traces = await api.call('trace:list', { projectDir: dir });
        // A project switched meanwhile keeps its own list.
        if (get().project?.dir === dir) set({ traces, tracesError: undefined });
      } catch (error) {
        set({ tracesError: describeError(error) });
      }
    },
    async startTrace(variant, options = {}) {
      const dir = get().project?.dir;
      if (!dir) return;
      const suggest = options.suggest === true;
      set({
        traceError: undefined,
        traceJobId: undefined,
        traceRequest: { variant, suggest },
      });
      try {
        const { jobId } = await api.call('trace:start', {
          projectDir: dir,
          variant,
          ...(suggest ? { suggest: true } : {}),
        });
        get().trackJob(jobId, 'trace');
        set({ traceJobId: jobId });
      } catch (error) {
        set({
          traceError: isCondenseError(error) ? describeTraceError(error) : describeError(error),
        });
      }
    },
    async traceFinished(result) {
      const record = result as TraceRecord | undefined;
      if (!record || typeof record.variant !== 'string') return;
      // Newest first, one per variant, as `trace:list` answers.
      set({ traces: [record, ...get().traces.filter((t) => t.variant !== record.variant)] });
      if (record.verified?.passed) {
        // The suggestion was built and written into condense.yml: history and recipe changed (while
        // the app saves its own change, the file watcher sorts out whose write it was).
        const reloads = [get().loadHistory()];
        const reloadRecipe = !get().recipeSavesPending;
        if (reloadRecipe) reloads.push(get().loadRecipe());
        await Promise.all(reloads);
        // The new variant's custom globs need measuring; the file watcher will not do it, since the
        // recipe is already at the revision it would see.
        if (reloadRecipe) await get().analyze();
      }
    },
  });
