import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { ProjectMethods } from '../../../shared/api/project';
import { ProjectService, resolveProjectDir } from './project-service';
import { RecentProjects } from './recent-projects';

export interface ProjectHandlerDeps {
  /** The user config folder (see `userConfigDir`). */
  configDir: string;
  /** For `~/` expansion; the real home unless a test says otherwise. */
  home?: string;
}

/** Thin handlers over the project service: `project:create`, `open`, `recent`, `forget`. */
export function createProjectHandlers(
  deps: ProjectHandlerDeps,
): Pick<ApiHandlers, keyof ProjectMethods> {
  const recent = new RecentProjects(deps.configDir);
  const service = new ProjectService(recent, deps.home);
  return {
    'project:create': (request) => service.create(request),
    'project:open': (request) => service.open(request),
    'project:recent': () => recent.list(),
    'project:forget': async (request) => {
      if (typeof request?.dir !== 'string') {
        throw new CondenseError('INVALID_INPUT', 'Say which folder to forget.', { field: 'dir' });
      }
      return { removed: await recent.forget(resolveProjectDir(request.dir, deps.home)) };
    },
  };
}
