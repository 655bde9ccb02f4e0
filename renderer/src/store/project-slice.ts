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
        await Promise.all([loadProjectData(get), get().loadRecent()]);
      } catch (error) {
        set({ projectBusy: false, projectError: describeError(error) });
      }
    };
    return {
      recent: [],
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
