import { stat } from 'node:fs/promises';

import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { ProjectMethods } from '../../../shared/api/project';
import type { JobManager } from '../jobs/job-manager';
import { ProjectService, resolveProjectDir } from './project-service';
import { watchProject } from './project-watch';
import { RecentProjects } from './recent-projects';

export interface ProjectHandlerDeps {
  /** The user config folder (see `userConfigDir`). */
  configDir: string;
  /** For `~/` expansion; the real home unless a test says otherwise. */
  home?: string;
  /** A folder copied as the example project instead of the built-in template. */
  exampleSource?: string;
  /** Runs `project:watch`; without it the method is refused. */
  jobs?: JobManager;
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
    // CONDENSE_EXAMPLE_SOURCE: a folder copied instead of the built-in template.
    'project:createExample': (request) =>
      service.createExample(
        request,
        deps.exampleSource ?? (process.env.CONDENSE_EXAMPLE_SOURCE || undefined),
      ),
    'project:watch': async (request) => {
      if (typeof request?.dir !== 'string') {
        throw new CondenseError('INVALID_INPUT', 'Say which project folder to watch.', {
          field: 'dir',
        });
      }
      const dir = resolveProjectDir(request.dir, deps.home);
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
        throw new CondenseError('NOT_FOUND', `There is no folder ${dir}. Check the path.`, { dir });
      }
      if (!deps.jobs) throw new CondenseError('INTERNAL', 'Watching needs the job manager.');
      const { jobId, result } = deps.jobs.start('watch', (job) =>
        watchProject(dir, {
          signal: job.signal,
          onChange: (files) => job.emit('changed', { files }),
        }),
      );
      result.catch(() => undefined);
      return { jobId };
    },
    'project:forget': async (request) => {
      if (typeof request?.dir !== 'string') {
        throw new CondenseError('INVALID_INPUT', 'Say which folder to forget.', { field: 'dir' });
      }
      return { removed: await recent.forget(resolveProjectDir(request.dir, deps.home)) };
    },
  };
}
