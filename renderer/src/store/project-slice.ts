import type { ProjectInfo } from '../../../shared/api/project';
import { describeError } from '../lib/format';
import type { AppState, ProjectSlice, SliceCreator, UiSlice } from './types';

export const createUiSlice: SliceCreator<UiSlice> =
  ({ api }) =>
  (set) => ({
    screen: 'projects',
    exportOpen: false,
    async loadAppInfo() {
      try {
        set({ appMode: (await api.call('app:info', {})).mode });
      } catch (error) {
        // Without it the UI only hides the Browse button; nothing to tell the user.
        console.warn('app:info failed', error);
      }
    },
    go: (screen) => set({ screen }),
    setExportOpen: (exportOpen) => set({ exportOpen }),
  });

/** Loads everything a project's screens show; each slice records its own error. */
async function loadProjectData(get: () => AppState): Promise<void> {
  const state = get();
  await Promise.all([
    state.loadEnvironment(),
    state.loadLock(),
    state.loadRecipe(),
    state.loadHistory(),
  ]);
  // Savings need both the lock status and the recipe.
  await get().analyze();
}

export const createProjectSlice: SliceCreator<ProjectSlice> =
  ({ api }) =>
  (set, get) => {
    const enter = async (load: () => Promise<ProjectInfo>) => {
      set({ projectBusy: true, projectError: undefined });
      try {
        const project = await load();
        set({ project, projectBusy: false, screen: 'environment' });
        await Promise.all([loadProjectData(get), get().loadRecent(), watch(project.dir)]);
      } catch (error) {
        set({ projectBusy: false, projectError: describeError(error) });
      }
    };
    // One watch at a time: the previous project's stops when another opens.
    const watch = async (dir: string) => {
      const previous = get().watchJobId;
      set({ watchJobId: undefined });
      try {
        if (previous) await api.call('jobs:cancel', { jobId: previous });
        const { jobId } = await api.call('project:watch', { dir });
        set({ watchJobId: jobId });
      } catch (error) {
        // Without it, changes on disk show after the next action instead of at once.
        console.warn('project:watch failed', error);
      }
    };
    return {
      recent: [],
      async filesChanged(files) {
        const state = get();
        if (!state.project) return;
        const lockChanged = files.some((f) => f === 'conda-lock.yml' || f.endsWith('.lock'));
        const tasks: Promise<void>[] = [];
        if (files.includes('environment.yml')) tasks.push(state.loadEnvironment());
        if (files.includes('environment.yml') || lockChanged) tasks.push(state.loadLock());
        let recipeChanged = false;
        // While the app saves, what the watcher saw is the app's own write; a hand edit made then
        // makes the save fail with a conflict, which the Image screen shows.
        if (files.includes('condense.yml') && !state.recipeConflict && !state.recipeSavesPending) {
          // The app's own saves come back here too: reload only what someone else wrote.
          const revision = await api
            .call('recipe:get', { projectDir: state.project.dir })
            .then((r) => r.revision)
            .catch(() => undefined);
          const own = get().recipeOwnRevisions.includes(revision ?? '');
          if (revision !== get().recipeRevision && !own && !get().recipeSavesPending) {
            recipeChanged = true;
            tasks.push(state.loadRecipe());
          }
        }
        await Promise.all(tasks);
        if (lockChanged || recipeChanged) await get().analyze();
      },
      projectBusy: false,
      async loadRecent() {
        try {
          set({ recent: await api.call('project:recent', {}) });
        } catch (error) {
          set({ projectError: describeError(error) });
        }
      },
      async pickFolder() {
        try {
          return (await api.call('dialog:pickFolder', { title: 'Choose a project folder' })).dir;
        } catch (error) {
          set({ projectError: describeError(error) });
          return undefined;
        }
      },
      createProject: (dir, name) =>
        enter(() => api.call('project:create', name ? { dir, name } : { dir })),
      openProject: (dir) => enter(() => api.call('project:open', { dir })),
      openExample: () => enter(() => api.call('project:createExample', {})),
      async forgetProject(dir) {
        try {
          await api.call('project:forget', { dir });
          await get().loadRecent();
        } catch (error) {
          set({ projectError: describeError(error) });
        }
      },
    };
  };
