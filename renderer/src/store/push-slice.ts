import { describeError } from '../lib/format';
import type { PushSlice, SliceCreator } from './types';

/** `delivery:push` as a job: progress and the pushed tags come back as its events. */
export const createPushSlice: SliceCreator<PushSlice> =
  ({ api }) =>
  (set, get) => ({
    pushJobId: undefined,
    pushError: undefined,
    async startPush(registry, options = {}) {
      const dir = get().project?.dir;
      if (!dir) return;
      set({ pushError: undefined });
      try {
        const { jobId } = await api.call('delivery:push', {
          projectDir: dir,
          registry: registry.trim(),
          ...(options.insecure ? { insecure: true } : {}),
        });
        get().trackJob(jobId, 'push');
        set({ pushJobId: jobId });
      } catch (error) {
        set({ pushError: describeError(error) });
      }
    },
  });
