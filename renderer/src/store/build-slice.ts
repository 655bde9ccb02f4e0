import type { BuildRecord, SmokeSpec } from '../../../shared/api/build';
import { describeError } from '../lib/format';
import type { BuildSlice, SliceCreator } from './types';

/** The smoke settings as the build service takes them; a message when the command is malformed. */
export function smokeSpec(
  modulesText: string,
  commandText: string,
): SmokeSpec | undefined | string {
  const modules = modulesText.split(/[\s,]+/).filter(Boolean);
  const bad = modules.find((m) => !/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(m));
  if (bad)
    return `"${bad}" is not a Python module name: list importable names such as numpy, sklearn.`;
  const spec: SmokeSpec = {};
  if (modules.length) spec.modules = modules;
  if (commandText.trim()) {
    let command: unknown;
    try {
      command = JSON.parse(commandText);
    } catch {
      command = undefined;
    }
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((c) => typeof c === 'string')
    ) {
      return 'The smoke-test command must be a JSON list of strings, e.g. ["/env/bin/python", "-m", "myapp", "--help"].';
    }
    spec.command = command;
  }
  return spec.modules || spec.command ? spec : undefined;
}

/** How many past builds the Results screen loads with their layers. */
const HISTORY_DEPTH = 5;

export const createBuildSlice: SliceCreator<BuildSlice> =
  ({ api }) =>
  (set, get) => ({
    history: [],
    buildVariants: [],
    syncedBuildJobs: [],
    smokeModules: '',
    smokeCommand: '',
    setSmoke: (patch) => set(patch),
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
      const smoke = smokeSpec(get().smokeModules, get().smokeCommand);
      if (typeof smoke === 'string') {
        set({ buildError: smoke });
        return;
      }
      set({ buildError: undefined });
      try {
        // The service builds condense.yml as stored: let the app's pending saves land first.
        await get().recipeSaved();
        if (get().recipeConflict) {
          set({
            buildError:
              'condense.yml changed on disk since the app read it: reload it or keep your change (Image screen), then build.',
          });
          return;
        }
        const classic = !get().useBuildKit;
        const { jobId } = await api.call('build:start', {
          projectDir: project.dir,
          variants,
          ...(smoke ? { smoke } : {}),
          ...(classic ? { classic: true } : {}),
        });
        get().trackJob(jobId, 'build');
        set({ buildJobId: jobId, buildVariants: variants, screen: 'build' });
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
