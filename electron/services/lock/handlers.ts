import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { LockMethods } from '../../../shared/api/lock';
import { diffLocks } from '../../../shared/conda/lock-diff';
import { isLockPlatform, LOCK_PLATFORMS } from '../../../shared/conda/platforms';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { resolveChannels } from '../channels/channel-url';
import { searchPackages } from '../channels/package-search';
import type { RepodataCache } from '../channels/repodata-cache';
import type { JobManager } from '../jobs/job-manager';
import { readEnvironmentFile, updateEnvironmentFile } from '../project/environment-store';
import { projectFolder } from '../project/project-folder';
import { importLockfiles, readLockfile } from './import';
import { ENVIRONMENT_FILE, readUnifiedLock, UNIFIED_LOCK } from './lock-files';
import { lockStatus, projectPath } from './lock-queries';
import { defaultRepodataCache, lockProject } from './lock-service';

export interface LockHandlerDeps {
  jobs: JobManager;
  /** Defaults to the process-wide cache in the user cache dir. */
  cache?: RepodataCache;
}

/** Handlers of `lock:*`, `environment:*` and `channels:search`; locks run as jobs with `progress` events. */
export function createLockHandlers(deps: LockHandlerDeps): Pick<ApiHandlers, keyof LockMethods> {
  const cache = () => deps.cache ?? defaultRepodataCache();
  return {
    'lock:start': async (request) => {
      const options = { ...request, projectDir: await projectFolder(request.projectDir) };
      const { jobId, result } = deps.jobs.start('lock', (job) =>
        lockProject(
          options,
          {
            signal: job.signal,
            progress: (message, fraction) =>
              job.emit('progress', { message, ...(fraction !== undefined ? { fraction } : {}) }),
          },
          { cache: cache() },
        ),
      );
      // The outcome reaches the UI as the job's `done` / `failed` event.
      result.catch(() => undefined);
      return { jobId };
    },
    'lock:status': async (request) => lockStatus(await projectFolder(request.projectDir)),
    'lock:read': async (request) => {
      const lock = await readUnifiedLock(await projectFolder(request.projectDir));
      if (!lock)
        throw new CondenseError(
          'NOT_FOUND',
          'the project has no conda-lock.yml yet: lock it first',
        );
      return { packages: lock.packages, platforms: lock.platforms, channels: lock.channels };
    },
    'lock:diff': async (request) => {
      const dir = await projectFolder(request.projectDir);
      const before = await readLockfile(projectPath(dir, request.before));
      const after = await readLockfile(projectPath(dir, request.after ?? UNIFIED_LOCK));
      return diffLocks(before.packages, after.packages);
    },
    'lock:import': async (request) => {
      const dir = await projectFolder(request.projectDir);
      return importLockfiles(dir, request.files, { includeDev: request.includeDev === true });
    },
    'environment:read': async (request) => {
      const { text, file, revision } = await readEnvironmentFile(
        await projectFolder(request.projectDir),
      );
      return { text, spec: file.spec, revision };
    },
    'environment:update': async (request) => {
      const dir = await projectFolder(request.projectDir);
      const { text, file, revision, changed } = await updateEnvironmentFile(
        dir,
        request.edits,
        request.baseRevision,
      );
      return { text, spec: file.spec, revision, changed };
    },
    'environment:effective': async (request) => {
      const dir = await projectFolder(request.projectDir);
      const platform = request.platform ?? 'linux-64';
      if (!isLockPlatform(platform))
        throw new CondenseError(
          'INVALID_INPUT',
          `unknown platform "${String(platform)}": use one of ${LOCK_PLATFORMS.join(', ')}`,
          { field: 'platform' },
        );
      const { text } = await readEnvironmentFile(dir);
      return effectiveEnvironment(text, platform, process.env);
    },
    'channels:search': async (request) => {
      let channels = request.channels;
      if (!channels) {
        if (!request.projectDir)
          throw new CondenseError('INVALID_INPUT', 'Give channels or a projectDir to search in.', {
            field: 'channels',
          });
        channels = parseEnvironmentFile(
          await readFile(join(await projectFolder(request.projectDir), ENVIRONMENT_FILE), 'utf8'),
        ).spec.channels;
      }
      const unreachable: { channel: string; message: string }[] = [];
      const results = await searchPackages({
        onUnreachable: (channel, error) =>
          unreachable.push({
            channel,
            message: error instanceof Error ? error.message : String(error),
          }),
        query: request.query,
        channels: resolveChannels(channels),
        platform: request.platform ?? 'linux-64',
        cache: cache(),
        limit: request.limit,
      });
      return { results, unreachable };
    },
  };
}
