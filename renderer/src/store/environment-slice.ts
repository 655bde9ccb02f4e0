import type { EnvironmentEdit } from '../../../shared/api/lock';
import { pythonDependency } from '../../../shared/environment/environment-edit';
import { describeError } from '../lib/format';
import type { EnvironmentSlice, SliceCreator } from './types';

/** `numpy` + `>=1.26` -> `numpy>=1.26`; `numpy` + `1.26.*` -> `numpy 1.26.*`; empty spec unpins. */
export function dependencyLine(name: string, spec: string): string {
  const value = spec.trim();
  if (!value) return name;
  return /^[<>=!~]/.test(value) ? `${name}${value}` : `${name} ${value}`;
}

export const createEnvironmentSlice: SliceCreator<EnvironmentSlice> =
  ({ api }) =>
  (set, get) => {
    const projectDir = () => {
      const dir = get().project?.dir;
      if (!dir) throw new Error('Open a project first (Projects screen).');
      return dir;
    };
    // Every edit goes through the service, which keeps environment.yml's comments and order. Edits
    // run one after another, and a list edit (channels) is computed when its turn comes, from the
    // environment the previous edit returned: two quick clicks must not overwrite each other.
    let queue: Promise<void> = Promise.resolve();
    const edit = (plan: EnvironmentEdit[] | (() => EnvironmentEdit[] | undefined)) => {
      const run = async () => {
        const edits = typeof plan === 'function' ? plan() : plan;
        if (!edits) return;
        set({ environmentError: undefined });
        try {
          const { spec } = await api.call('environment:update', {
            projectDir: projectDir(),
            edits,
          });
          set({ environment: spec });
          get().refreshPreview();
          // The lock is stale now (the service compares hashes).
          await get().loadLock();
        } catch (error) {
          set({ environmentError: describeError(error) });
        }
      };
      queue = queue.then(run);
      return queue;
    };
    let searchSeq = 0;
    let pipSeq = 0;
    return {
      pipResults: [],
      pipSearching: false,
      async searchPip(query) {
        const mine = ++pipSeq;
        const trimmed = query.trim();
        if (!trimmed) {
          set({ pipResults: [], pipSearching: false });
          return;
        }
        set({ pipSearching: true, environmentError: undefined });
        try {
          const results = await api.call('pip:search', {
            projectDir: projectDir(),
            query: trimmed,
          });
          if (mine === pipSeq) set({ pipResults: results, pipSearching: false });
        } catch (error) {
          if (mine === pipSeq) set({ pipSearching: false, environmentError: describeError(error) });
        }
      },
      setPipRequirement: (line) => edit([{ setPipRequirement: line.trim() }]),
      removePipRequirement: (name) => edit([{ removePipRequirement: name }]),
      searchResults: [],
      searchQuery: '',
      searching: false,
      async loadEnvironment() {
        try {
          const { spec } = await api.call('environment:read', { projectDir: projectDir() });
          set({ environment: spec, environmentError: undefined });
          // Its `variables:` are ENV lines of the Dockerfile preview.
          get().refreshPreview();
        } catch (error) {
          set({ environmentError: describeError(error) });
        }
      },
      async searchPackages(query) {
        const mine = ++searchSeq;
        const trimmed = query.trim();
        set({ searchQuery: query, environmentError: undefined, searchNotice: undefined });
        if (!trimmed) {
          set({ searchResults: [], searching: false });
          return;
        }
        set({ searching: true });
        try {
          const { results, unreachable } = await api.call('channels:search', {
            query: trimmed,
            projectDir: projectDir(),
            limit: 50,
          });
          // A slower earlier search must not overwrite a newer one.
          if (mine === searchSeq) {
            set({
              searchResults: results,
              searching: false,
              searchNotice: unreachable.length
                ? `Could not search ${unreachable.map((u) => u.channel).join(', ')}: showing what the other channels have. ${unreachable[0]!.message}`
                : undefined,
            });
          }
        } catch (error) {
          if (mine === searchSeq) set({ searching: false, environmentError: describeError(error) });
        }
      },
      addPackage: (name, spec) => {
        set({ lastRemoved: undefined });
        return edit([{ setDependency: dependencyLine(name, spec ?? '') }]);
      },
      async removePackage(name) {
        const dependency = get().environment?.dependencies.find((d) => d.name === name);
        await edit([{ removeDependency: name }]);
        if (dependency && !get().environmentError) {
          set({ lastRemoved: { name, line: dependency.raw.trim() || name } });
        }
      },
      async undoRemove() {
        const removed = get().lastRemoved;
        if (!removed) return;
        set({ lastRemoved: undefined });
        await edit([{ setDependency: removed.line }]);
      },
      pinPackage: (name, spec) => edit([{ setDependency: dependencyLine(name, spec) }]),
      // `3.11` means 3.11.* to conda users: written as `python=3.11`, as conda reads it.
      setPython: (version) => edit([{ setDependency: pythonDependency(version) }]),
      addChannel(channel) {
        const value = channel.trim().replace(/\/+$/, '');
        if (
          !/^(?:https?:\/\/[^\s]+|[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.-]+)*)$/.test(value)
        ) {
          set({
            environmentError: `"${channel}" is not a channel: type a name such as conda-forge or a URL such as https://conda.example.org/internal.`,
          });
          return Promise.resolve();
        }
        return edit(() => {
          const channels = get().environment?.channels ?? [];
          if (channels.includes(value)) {
            set({ environmentError: `${value} is already in the channel list.` });
            return undefined;
          }
          return [{ channels: [...channels, value] }];
        });
      },
      removeChannel: (channel) =>
        edit(() => [
          { channels: (get().environment?.channels ?? []).filter((c) => c !== channel) },
        ]),
      moveChannel: (index, delta) =>
        edit(() => {
          const channels = [...(get().environment?.channels ?? [])];
          const target = index + delta;
          if (target < 0 || target >= channels.length) return undefined;
          const [moved] = channels.splice(index, 1);
          if (moved !== undefined) channels.splice(target, 0, moved);
          return [{ channels }];
        }),
    };
  };
