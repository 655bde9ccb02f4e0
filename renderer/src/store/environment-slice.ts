import { describeError } from '../lib/format';
import type { EnvironmentEdit } from './pending-contract';
import { callApi } from './pending-contract';
import type { EnvironmentSlice, SliceCreator } from './types';

export const createEnvironmentSlice: SliceCreator<EnvironmentSlice> =
  ({ api }) =>
  (set, get) => {
    const projectDir = () => {
      const dir = get().project?.dir;
      if (!dir) throw new Error('Open a project first (Projects screen).');
      return dir;
    };
    // Every edit goes through the service, which keeps environment.yml's comments and order.
    const edit = async (change: EnvironmentEdit) => {
      set({ environmentError: undefined });
      try {
        const environment = await callApi(api, 'env:update', {
          projectDir: projectDir(),
          edit: change,
        });
        set({ environment });
        // The lock may be stale now; the service decides.
        await get().loadLock();
      } catch (error) {
        set({ environmentError: describeError(error) });
      }
    };
    let searchSeq = 0;
    return {
      searchResults: [],
      searchQuery: '',
      searching: false,
      async loadEnvironment() {
        try {
          set({ environment: await callApi(api, 'env:get', { projectDir: projectDir() }) });
        } catch (error) {
          set({ environmentError: describeError(error) });
        }
      },
      async searchPackages(query) {
        const mine = ++searchSeq;
        const trimmed = query.trim();
        set({ searchQuery: query, environmentError: undefined });
        if (!trimmed) {
          set({ searchResults: [], searching: false });
          return;
        }
        set({ searching: true });
        try {
          const results = await callApi(api, 'env:search', {
            projectDir: projectDir(),
            query: trimmed,
          });
          // A slower earlier search must not overwrite a newer one.
          if (mine === searchSeq) set({ searchResults: results, searching: false });
        } catch (error) {
          if (mine === searchSeq) set({ searching: false, environmentError: describeError(error) });
        }
      },
      addPackage: (name, spec) => edit(spec ? { op: 'add', name, spec } : { op: 'add', name }),
      removePackage: (name) => edit({ op: 'remove', name }),
      pinPackage: (name, spec) => edit({ op: 'pin', name, spec }),
      setPython: (version) => edit({ op: 'python', version }),
      async moveChannel(index, delta) {
        const channels = [...(get().environment?.channels ?? [])];
        const target = index + delta;
        if (target < 0 || target >= channels.length) return;
        const [moved] = channels.splice(index, 1);
        if (moved !== undefined) channels.splice(target, 0, moved);
        await edit({ op: 'channels', channels });
      },
    };
  };
