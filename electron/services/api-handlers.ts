import type { ApiHandlers, AppInfo, MethodName } from '../../shared/api/contract';
import { CondenseError } from '../../shared/api/errors';
import type { DialogMethods } from '../../shared/api/project';
import { validate } from '../../shared/api/validate';
import { APP_NAME, APP_VERSION } from './app-info';
import { createBuildHandlers } from './build/handlers';
import { createDeliveryHandlers } from './delivery/handlers';
import type { JobManager } from './jobs/job-manager';
import { createLockHandlers } from './lock/handlers';
import { createPipHandlers } from './pip/handlers';
import { userConfigDir } from './project/config-dir';
import { createProjectHandlers } from './project/handlers';
import { createRecipeHandlers } from './recipe/handlers';
import { createTraceHandlers } from './trace/handlers';

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
 * Every handler behind the one request check (`validate`, the method's schema in `shared/api/`): a
 * handler only ever sees a request of its declared type, whichever door it came through.
 */
export function validated<T extends Partial<ApiHandlers>>(handlers: T): T {
  const wrapped = Object.entries(handlers).map(([method, handler]) => {
    const call = handler as unknown as (request: unknown) => Promise<unknown>;
    return [
      method,
      (request: unknown) =>
        Promise.resolve().then(() => call(validate(method as MethodName, request))),
    ];
  });
  return Object.fromEntries(wrapped) as T;
}

/**
 * Composes every domain's `createXxxHandlers(deps)` into the one handler table that IPC, the WebSocket
 * and tests serve, each behind its request schema. Domains add their line here as they land.
 */
export function createApiHandlers(deps: ApiHandlerDeps): ApiHandlers {
  return validated(unvalidatedHandlers(deps));
}

function unvalidatedHandlers(deps: ApiHandlerDeps): ApiHandlers {
  const { jobs } = deps;
  const configDir = deps.configDir ?? userConfigDir();
  return {
    'app:info': () => Promise.resolve({ name: APP_NAME, version: APP_VERSION, mode: deps.mode }),
    'jobs:cancel': (request) => Promise.resolve({ cancelled: jobs.cancel(request.jobId) }),
    'jobs:list': () => Promise.resolve(jobs.list()),
    'jobs:events': (request) => Promise.resolve(jobs.replay(request.jobId, request.afterSeq ?? 0)),
    ...createProjectHandlers({ configDir, jobs }),
    ...createLockHandlers({ jobs }),
    ...createBuildHandlers({ jobs }),
    ...createRecipeHandlers({ jobs }),
    ...createPipHandlers(),
    ...createDeliveryHandlers({ jobs }),
    ...createTraceHandlers({ jobs }),
    ...(deps.pickFolder ? { 'dialog:pickFolder': deps.pickFolder } : browserDialogs()),
  };
}
