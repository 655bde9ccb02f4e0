import type { TraceMethods } from '../../../shared/api/trace';
import { cacheDir } from '../channels/channel-url';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import type { JobManager } from '../jobs/job-manager';
import { projectFolder } from '../project/project-folder';
import { listTraces, traceProject } from './trace-service';

export interface TraceHandlerDeps {
  jobs: JobManager;
  engine?: () => Engine;
}

type Handlers = {
  [M in keyof TraceMethods]: (
    request: TraceMethods[M]['request'],
  ) => Promise<TraceMethods[M]['response']>;
};

/** Trace (a job) and the stored traces. */
export function createTraceHandlers(deps: TraceHandlerDeps): Handlers {
  const engine = deps.engine ?? (() => connectEngine());
  return {
    'trace:start': async (request) => {
      const projectDir = await projectFolder(request.projectDir);
      const { jobId, result } = deps.jobs.start('trace', (context) =>
        traceProject(
          { engine, cacheRoot: cacheDir() },
          { ...request, projectDir },
          {
            signal: context.signal,
            emit: (kind: string, data: unknown) => context.emit(kind, data),
          },
        ),
      );
      result.catch(() => undefined);
      return { jobId };
    },
    'trace:list': async (request) => listTraces(await projectFolder(request.projectDir)),
  };
}
