import { isCondenseError } from '../../../shared/api/errors';
import { diffLocks } from '../../../shared/conda/lock-diff';
import { describeError } from '../lib/format';
import type { LockSlice, SliceCreator } from './types';

export const createLockSlice: SliceCreator<LockSlice> =
  ({ api }) =>
  (set, get) => ({
    lockPackages: [],
    async loadLock() {
      const dir = get().project?.dir;
      if (!dir) return;
      try {
        const status = await api.call('lock:status', { projectDir: dir });
        set({ lockStatus: status, lockError: undefined });
        if (!status.locked) {
          set({ lockPackages: [] });
          return;
        }
        const { packages } = await api.call('lock:read', { projectDir: dir });
        set({ lockPackages: packages });
      } catch (error) {
        // No lock yet is the normal state of a new project, not an error to show.
        if (isCondenseError(error, 'NOT_FOUND')) set({ lockStatus: undefined, lockPackages: [] });
        else set({ lockError: describeError(error) });
      }
    },
    async startLock(options = {}) {
      const dir = get().project?.dir;
      if (!dir) return;
      set({ lockError: undefined });
      // Kept to show what the relock changed (the service replaces the file).
      const before = get().lockPackages;
      try {
        const { jobId } = await api.call('lock:start', {
          projectDir: dir,
          ...(options.updateAll ? { updateAll: true } : {}),
        });
        get().trackJob(jobId, 'lock');
        set({ lockJobId: jobId, lockBefore: before, lockDiff: undefined });
      } catch (error) {
        set({ lockError: describeError(error) });
      }
    },
    async lockFinished() {
      await get().loadLock();
      const { lockBefore, lockPackages } = get();
      if (lockBefore && lockBefore.length > 0) {
        set({ lockDiff: diffLocks(lockBefore, lockPackages), lockBefore: undefined });
      }
      await get().analyze();
    },
  });
