import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { LockMethods, LockOptions } from '../../../shared/api/lock';
import { diffLocks } from '../../../shared/conda/lock-diff';
import { isLockPlatform, LOCK_PLATFORMS } from '../../../shared/conda/platforms';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { resolveChannels } from '../channels/channel-url';
import { searchPackages } from '../channels/package-search';
import type { RepodataCache } from '../channels/repodata-cache';
import type { JobManager } from '../jobs/job-manager';
import { readEnvironmentFile, updateEnvironmentFile } from '../project/environment-store';
import { importLockfiles, readLockfile } from './import';
import { ENVIRONMENT_FILE, readUnifiedLock, UNIFIED_LOCK } from './lock-files';
import { lockStatus, projectPath } from './lock-queries';
import { defaultRepodataCache, lockProject } from './lock-service';

export interface LockHandlerDeps {
  jobs: JobManager;
  /** Defaults to the process-wide cache in the user cache dir. */
  cache?: RepodataCache;
}

function projectDirOf(request: unknown): string {
  const dir = (request as { projectDir?: unknown } | undefined)?.projectDir;
  if (typeof dir !== 'string' || !isAbsolute(dir)) {
    throw new CondenseError(
      'INVALID_INPUT',
      'Say which project (projectDir, an absolute folder path).',
      { field: 'projectDir' },
    );
  }
  return dir;
}

const stringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Checks a lock request from the (untrusted) renderer. */
export function validateLockOptions(request: LockOptions): LockOptions {
  projectDirOf(request);
  for (const key of ['platforms', 'update'] as const) {
    if (request[key] !== undefined && !stringArray(request[key])) {
      throw new CondenseError('INVALID_INPUT', `${key} must be a list of strings`, { field: key });
    }
  }
  if (
    request.engine !== undefined &&
    request.engine !== 'builtin' &&
    request.engine !== 'conda-lock'
  ) {
    throw new CondenseError('INVALID_INPUT', 'engine must be "builtin" or "conda-lock"', {
      field: 'engine',
    });
  }
  if (request.hash !== undefined && request.hash !== 'md5' && request.hash !== 'sha256') {
    throw new CondenseError('INVALID_INPUT', 'hash must be "md5" or "sha256"', { field: 'hash' });
  }
  if (
    request.condaLockPath !== undefined &&
    (typeof request.condaLockPath !== 'string' || !isAbsolute(request.condaLockPath))
  ) {
    throw new CondenseError('INVALID_INPUT', 'condaLockPath must be an absolute path', {
      field: 'condaLockPath',
    });
  }
  return request;
}

/** Handlers of `lock:*`, `environment:*` and `channels:search`; locks run as jobs with `progress` events. */
export function createLockHandlers(deps: LockHandlerDeps): Pick<ApiHandlers, keyof LockMethods> {
  const cache = () => deps.cache ?? defaultRepodataCache();
  return {
    'lock:start': (request) => {
      const options = validateLockOptions(request);
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
      return Promise.resolve({ jobId });
    },
    'lock:status': (request) => lockStatus(projectDirOf(request)),
    'lock:read': async (request) => {
      const lock = await readUnifiedLock(projectDirOf(request));
      if (!lock)
        throw new CondenseError(
          'NOT_FOUND',
          'the project has no conda-lock.yml yet: lock it first',
        );
      return { packages: lock.packages, platforms: lock.platforms, channels: lock.channels };
    },
    'lock:diff': async (request) => {
      const dir = projectDirOf(request);
      if (typeof request.before !== 'string')
        throw new CondenseError('INVALID_INPUT', 'Say which lockfile to compare (before).', {
          field: 'before',
        });
      const before = await readLockfile(projectPath(dir, request.before));
      const after = await readLockfile(projectPath(dir, request.after ?? UNIFIED_LOCK));
      return diffLocks(before.packages, after.packages);
    },
    'lock:import': (request) => {
      const dir = projectDirOf(request);
      if (!stringArray(request.files) || !request.files.every((f) => isAbsolute(f))) {
        throw new CondenseError('INVALID_INPUT', 'files must be absolute paths of lockfiles', {
          field: 'files',
        });
      }
      return importLockfiles(dir, request.files, { includeDev: request.includeDev === true });
    },
    'environment:read': async (request) => {
      const { text, file, revision } = await readEnvironmentFile(projectDirOf(request));
      return { text, spec: file.spec, revision };
    },
    'environment:update': async (request) => {
      const dir = projectDirOf(request);
      if (!Array.isArray(request.edits))
        throw new CondenseError('INVALID_INPUT', 'edits must be a list', { field: 'edits' });
      if (request.baseRevision !== undefined && typeof request.baseRevision !== 'string')
        throw new CondenseError('INVALID_INPUT', 'baseRevision must be a string', {
          field: 'baseRevision',
        });
      const { text, file, revision, changed } = await updateEnvironmentFile(
        dir,
        request.edits,
        request.baseRevision,
      );
      return { text, spec: file.spec, revision, changed };
    },
    'environment:effective': async (request) => {
      const dir = projectDirOf(request);
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
      if (typeof request?.query !== 'string')
        throw new CondenseError('INVALID_INPUT', 'Say what to search for (query).', {
          field: 'query',
        });
      let channels = request.channels;
      if (channels !== undefined && !stringArray(channels))
        throw new CondenseError('INVALID_INPUT', 'channels must be a list of strings', {
          field: 'channels',
        });
      if (!channels) {
        if (!request.projectDir)
          throw new CondenseError('INVALID_INPUT', 'Give channels or a projectDir to search in.', {
            field: 'channels',
          });
        channels = parseEnvironmentFile(
          await readFile(join(projectDirOf(request), ENVIRONMENT_FILE), 'utf8'),
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
