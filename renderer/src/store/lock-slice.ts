import { describeError } from '../lib/format';
import { callApi } from './pending-contract';
import type { LockSlice, SliceCreator } from './types';

export const createLockSlice: SliceCreator<LockSlice> =
  ({ api }) =>
  (set, get) => ({
    async loadLock() {
      const dir = get().project?.dir;
      if (!dir) return;
      try {
        set({ lock: await callApi(api, 'lock:get', { projectDir: dir }) });
      } catch (error) {
        // No lock yet is the normal state of a new project, not an error to show.
        if ((error as { code?: string }).code === 'NOT_FOUND') set({ lock: undefined });
        else set({ lockError: describeError(error) });
      }
    },
    async startLock() {
      const dir = get().project?.dir;
      if (!dir) return;
      set({ lockError: undefined });
      try {
        const { jobId } = await callApi(api, 'lock:start', { projectDir: dir });
        get().trackJob(jobId, 'lock');
        set({ lockJobId: jobId });
      } catch (error) {
        set({ lockError: describeError(error) });
      }
    },
  });
