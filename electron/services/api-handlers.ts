import type { ApiHandlers, AppInfo } from '../../shared/api/contract';
import { CondenseError } from '../../shared/api/errors';
import type { DialogMethods } from '../../shared/api/project';
import { APP_NAME, APP_VERSION } from './app-info';
import { createBuildHandlers } from './build/handlers';
import { createDeliveryHandlers } from './delivery/handlers';
import type { JobManager } from './jobs/job-manager';
import { createLockHandlers } from './lock/handlers';
import { userConfigDir } from './project/config-dir';
import { createProjectHandlers } from './project/handlers';
import { createRecipeHandlers } from './recipe/handlers';

export interface ApiHandlerDeps {
  /** One job manager for every door, so a job started in one window can be cancelled from another. */
  jobs: JobManager;
  mode: AppInfo['mode'];
  /** User config folder (recent projects); defaults to `userConfigDir()`. */
  configDir?: string;
  /** The native folder picker (Electron); browser mode has none. */
  pickFolder?: ApiHandlers['dialog:pickFolder'];
}

type DialogHandlers = Pick<ApiHandlers, keyof DialogMethods>;

function browserDialogs(): DialogHandlers {
  return {
    'dialog:pickFolder': () =>
      Promise.reject(
        new CondenseError(
          'PERMISSION_DENIED',
          'A browser page cannot open a folder picker on the machine running Condense: type the folder path instead.',
        ),
      ),
  };
}

/**
 * Composes every domain's `createXxxHandlers(deps)` into the one handler table that IPC, the WebSocket
 * and tests serve. Domains add their line here as they land.
 */
export function createApiHandlers(deps: ApiHandlerDeps): ApiHandlers {
  const { jobs } = deps;
  const configDir = deps.configDir ?? userConfigDir();
  return {
    'app:info': () => Promise.resolve({ name: APP_NAME, version: APP_VERSION, mode: deps.mode }),
    'jobs:cancel': (request) => {
      if (typeof request?.jobId !== 'string') {
        throw new CondenseError('INVALID_INPUT', 'Say which job to cancel (jobId).', {
          field: 'jobId',
        });
      }
      return Promise.resolve({ cancelled: jobs.cancel(request.jobId) });
    },
    'jobs:list': () => Promise.resolve(jobs.list()),
    'jobs:events': (request) => {
      const afterSeq = request?.afterSeq ?? 0;
      if (typeof request?.jobId !== 'string' || !Number.isInteger(afterSeq) || afterSeq < 0) {
        throw new CondenseError(
          'INVALID_INPUT',
          'jobs:events takes a jobId and an optional afterSeq (a whole number, 0 or more).',
          { field: 'jobId' },
        );
      }
      return Promise.resolve(jobs.replay(request.jobId, afterSeq));
    },
    ...createProjectHandlers({ configDir, jobs }),
    ...createLockHandlers({ jobs }),
    ...createBuildHandlers({ jobs }),
    ...createRecipeHandlers({ jobs }),
    ...createDeliveryHandlers({ jobs }),
    ...(deps.pickFolder ? { 'dialog:pickFolder': deps.pickFolder } : browserDialogs()),
  };
}
