import type { DeliveryMethods } from '../../../shared/api/delivery';
import { CondenseError } from '../../../shared/api/errors';
import { cacheDir } from '../channels/channel-url';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import type { JobManager } from '../jobs/job-manager';
import { projectFolder } from '../project/project-folder';
import { pushVariants } from './push';
import { projectSbom } from './sbom-service';

export interface DeliveryHandlerDeps {
  jobs: JobManager;
  engine?: () => Engine;
}

type Handlers = {
  [M in keyof DeliveryMethods]: (
    request: DeliveryMethods[M]['request'],
  ) => Promise<DeliveryMethods[M]['response']>;
};

/** Push (a job) and SBOM. */
export function createDeliveryHandlers(deps: DeliveryHandlerDeps): Handlers {
  const engine = deps.engine ?? (() => connectEngine());
  return {
    // Requests are checked by their schemas (shared/api/delivery.ts) at every door; the folder here.
    'delivery:push': async (request) => {
      const dir = await projectFolder(request.projectDir);
      if (typeof request.registry !== 'string' || request.registry.length === 0)
        throw new CondenseError('INVALID_INPUT', 'Name the registry to push to.', {
          field: 'registry',
        });
      const chosen = request.variants;
      const { jobId, result } = deps.jobs.start('push', (context) =>
        pushVariants({
          engine: engine(),
          projectDir: dir,
          registry: request.registry,
          ...(chosen ? { variants: chosen } : {}),
          ...(request.insecure === true ? { insecure: true } : {}),
          signal: context.signal,
          onProgress: (event) => context.emit('push', event),
        }),
      );
      result.catch(() => undefined);
      return { jobId };
    },
    'delivery:sbom': async (request) =>
      projectSbom({
        projectDir: await projectFolder(request.projectDir),
        ...(typeof request.variant === 'string' ? { variant: request.variant } : {}),
        cacheRoot: cacheDir(),
      }),
  };
}
