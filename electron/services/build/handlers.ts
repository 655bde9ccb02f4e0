import type { BuildMethods } from '../../../shared/api/build';
import { compareBuilds } from '../../../shared/build/compare';
import type { Engine } from '../docker/engine';
import { connectEngine, engineInfo } from '../docker/engine';
import type { JobManager } from '../jobs/job-manager';
import { projectFolder } from '../project/project-folder';
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

/** `condense/<project folder>` unless the request names a repository (the schema checked its form). */
function repository(request: { projectDir: string; repository?: string }): string {
  return request.repository ?? defaultRepository(request.projectDir);
}

/** The build domain's handlers: builds run as `build` jobs with step, log, variant and smoke events. */
export function createBuildHandlers(deps: BuildHandlerDeps): Handlers {
  const engine = deps.engine ?? (() => connectEngine());
  return {
    'build:engine': async () => engineInfo(engine()),
    'build:start': (request) =>
      projectFolder(request.projectDir).then(() => {
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
    'build:list': async (request) => listBuilds(await projectFolder(request.projectDir)),
    'build:get': async (request) =>
      loadBuild(await projectFolder(request.projectDir), request.buildId),
    'build:log': async (request) =>
      readBuildLog(await projectFolder(request.projectDir), request.buildId, request.tail),
    'build:images': async (request) => {
      await projectFolder(request.projectDir);
      return listProjectImages(engine(), repository(request));
    },
    'build:pruneImages': async (request) => {
      // Every value is checked before the engine is reached.
      const options = {
        projectDir: await projectFolder(request.projectDir),
        repository: repository(request),
        keep: checkKeep(request.keep),
      };
      return pruneProjectImages(engine(), options);
    },
    'build:compare': async (request) => {
      const dir = await projectFolder(request.projectDir);
      const first = await loadBuild(dir, request.buildId);
      const other = request.other !== undefined ? await loadBuild(dir, request.other) : undefined;
      return compareBuilds(first, other);
    },
  };
}
