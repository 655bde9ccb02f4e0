import type { BuildRecord } from '../../../shared/api/build';
import { describeError } from '../lib/format';
import type { BuildSlice, SliceCreator } from './types';

/** How many past builds the Results screen loads with their layers. */
const HISTORY_DEPTH = 5;

export const createBuildSlice: SliceCreator<BuildSlice> =
  ({ api }) =>
  (set, get) => ({
    history: [],
    syncedBuildJobs: [],
    async buildFinished(jobId) {
      await get().loadHistory();
      set({ syncedBuildJobs: [...get().syncedBuildJobs, jobId] });
    },
    async loadHistory() {
      const dir = get().project?.dir;
      if (!dir) return;
      try {
        const summaries = await api.call('build:list', { projectDir: dir });
        const recent = [...summaries]
          .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
          .slice(0, HISTORY_DEPTH);
        const records: BuildRecord[] = await Promise.all(
          recent.map((s) => api.call('build:get', { projectDir: dir, buildId: s.id })),
        );
        set({ history: records });
      } catch (error) {
        set({ buildError: describeError(error) });
      }
    },
    async startBuild(variants) {
      const { project, recipe } = get();
      if (!project || !recipe) return;
      if (variants.length === 0) {
        set({ buildError: 'Choose at least one variant to build.' });
        return;
      }
      set({ buildError: undefined });
      try {
        // The service's generator is the reference; the preview used the same shared code.
        const files = await api.call('recipe:generate', { projectDir: project.dir, recipe });
        const classic = !get().useBuildKit;
        const { jobId } = await api.call('build:start', {
          projectDir: project.dir,
          dockerfile: files.dockerfile,
          // The service falls back to it when the engine has no BuildKit.
          classicDockerfile: files.classicDockerfile,
          variants: files.variants,
          only: variants,
          ...(classic ? { classic: true } : {}),
        });
        get().trackJob(jobId, 'build');
        set({ buildJobId: jobId, screen: 'build' });
      } catch (error) {
        set({ buildError: describeError(error) });
      }
    },
    async cancelJob(jobId) {
      try {
        await api.call('jobs:cancel', { jobId });
      } catch (error) {
        set({ buildError: describeError(error) });
      }
    },
    async exportProject(dir, force) {
      const projectDir = get().project?.dir;
      if (!projectDir) throw new Error('Open a project first (Projects screen).');
      return api.call('recipe:export', { projectDir, dir, ...(force ? { force } : {}) });
    },
  });
