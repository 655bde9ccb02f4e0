import { isAbsolute } from 'node:path';

import type { DeliveryMethods } from '../../../shared/api/delivery';
import { CondenseError } from '../../../shared/api/errors';
import { cacheDir } from '../channels/channel-url';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import type { JobManager } from '../jobs/job-manager';
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

function projectDir(request: { projectDir?: unknown }): string {
  if (typeof request?.projectDir !== 'string' || !isAbsolute(request.projectDir))
    throw new CondenseError('INVALID_INPUT', 'projectDir must be an absolute folder path.', {
      field: 'projectDir',
    });
  return request.projectDir;
}

function variants(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    !value.every((v) => typeof v === 'string' && /^[a-z0-9][a-z0-9._-]*$/.test(v))
  )
    throw new CondenseError('INVALID_INPUT', 'variants must be a list of variant ids.', {
      field: 'variants',
    });
  return value as string[];
}

/** Push (a job) and SBOM. */
export function createDeliveryHandlers(deps: DeliveryHandlerDeps): Handlers {
  const engine = deps.engine ?? (() => connectEngine());
  return {
    'delivery:push': (request) =>
      Promise.resolve().then(() => {
        const dir = projectDir(request);
        if (typeof request.registry !== 'string' || request.registry.length === 0)
          throw new CondenseError('INVALID_INPUT', 'Name the registry to push to.', {
            field: 'registry',
          });
        const chosen = variants(request.variants);
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
      }),
    'delivery:sbom': async (request) =>
      projectSbom({
        projectDir: projectDir(request),
        ...(typeof request.variant === 'string' ? { variant: request.variant } : {}),
        cacheRoot: cacheDir(),
      }),
  };
}
