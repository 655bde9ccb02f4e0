import { isAbsolute } from 'node:path';

import type { BuildMethods } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { compareBuilds } from '../../../shared/build/compare';
import type { Engine } from '../docker/engine';
import { connectEngine, engineInfo } from '../docker/engine';
import type { JobManager } from '../jobs/job-manager';
import { buildProject, defaultRepository } from './build-service';
import { listBuilds, loadBuild, readBuildLog } from './history-store';
import { checkKeep, listProjectImages, pruneProjectImages } from './image-retention';

export interface BuildHandlerDeps {
  jobs: JobManager;
  /** Default: DOCKER_HOST, DOCKER_CONTEXT, the current Docker context, else the local socket. */
  engine?: () => Engine;
}

type Handlers = {
  [M in keyof BuildMethods]: (
    request: BuildMethods[M]['request'],
  ) => Promise<BuildMethods[M]['response']>;
};

function projectDir(request: { projectDir?: unknown }): string {
  if (typeof request?.projectDir !== 'string' || !isAbsolute(request.projectDir)) {
    throw new CondenseError('INVALID_INPUT', 'projectDir must be an absolute folder path.');
  }
  return request.projectDir;
}

function buildId(value: unknown, name = 'buildId'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CondenseError('INVALID_INPUT', `${name} must be a build id.`);
  }
  return value;
}

function repository(request: { projectDir: string; repository?: unknown }): string {
  if (request.repository === undefined) return defaultRepository(request.projectDir);
  if (
    typeof request.repository !== 'string' ||
    !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(request.repository)
  ) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Image repository ${JSON.stringify(request.repository)} is not valid: lowercase letters, digits, . _ - and /.`,
    );
  }
  return request.repository;
}

/** The build domain's handlers: builds run as `build` jobs with step, log, variant and smoke events. */
export function createBuildHandlers(deps: BuildHandlerDeps): Handlers {
  const engine = deps.engine ?? (() => connectEngine());
  return {
    'build:engine': async () => engineInfo(engine()),
    'build:start': (request) =>
      Promise.resolve().then(() => {
        // Checked before the job starts, so bad input is an error of the call, not a failed job.
        projectDir(request);
        const { jobId, result } = deps.jobs.start('build', (context) =>
          buildProject({ engine }, request, {
            signal: context.signal,
            emit: (kind, data) => context.emit(kind, data),
          }),
        );
        // The outcome travels as the job's terminal event; nobody awaits this promise.
        result.catch(() => undefined);
        return { jobId };
      }),
    'build:list': async (request) => listBuilds(projectDir(request)),
    'build:get': async (request) => loadBuild(projectDir(request), buildId(request.buildId)),
    'build:log': async (request) => {
      if (request.tail !== undefined && (!Number.isInteger(request.tail) || request.tail < 0)) {
        throw new CondenseError('INVALID_INPUT', 'tail must be a whole number of lines.');
      }
      return readBuildLog(projectDir(request), buildId(request.buildId), request.tail);
    },
    'build:images': async (request) => {
      projectDir(request);
      const repo = repository(request);
      return listProjectImages(engine(), repo);
    },
    'build:pruneImages': async (request) => {
      // Every value is checked before the engine is reached.
      const options = {
        projectDir: projectDir(request),
        repository: repository(request),
        keep: checkKeep(request.keep),
      };
      return pruneProjectImages(engine(), options);
    },
    'build:compare': async (request) => {
      const dir = projectDir(request);
      const first = await loadBuild(dir, buildId(request.buildId));
      const other =
        request.other !== undefined
          ? await loadBuild(dir, buildId(request.other, 'other'))
          : undefined;
      return compareBuilds(first, other);
    },
  };
}
