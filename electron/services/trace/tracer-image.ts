import type { Readable } from 'node:stream';

import { pack } from 'tar-stream';

import type { BuildLogLine } from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import type { NetworkMode } from '../../../shared/checks/model';
import { writeExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import type { Recipe } from '../../../shared/recipe/model';
import {
  TRACE_IMAGE_LABEL,
  TRACE_OWNER_LABEL,
  traceDockerfile,
  TRACER_LOCKFILE,
  TRACER_SPEC,
} from '../../../shared/trace/tracer';
import { APP_NAME, APP_VERSION } from '../app-info';
import { CONTEXT_DOCKERFILE } from '../build/build-context';
import { runBuild } from '../build/run-build';
import type { RepodataCache } from '../channels/repodata-cache';
import { OWNER, ownerAlive } from '../checks/check-container';
import type { Engine } from '../docker/engine';
import { engineCall } from '../docker/engine';
import { solveBuiltin } from '../lock/builtin-engine';
import { lockChannelsOf } from '../lock/lock-service';
import { virtualPackagesFor } from '../lock/virtual-packages';
import { readEnvironmentFile } from '../project/environment-store';

export interface TracerLockOptions {
  projectDir: string;
  recipe: Recipe;
  cache: RepodataCache;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/**
 * The tracer's explicit lock: conda's `strace` solved against the project's own channels for the
 * recipe's platform, with the same solver and virtual packages as the environment's lock.
 */
export async function tracerLock(options: TracerLockOptions): Promise<string> {
  const { recipe } = options;
  const { text } = await readEnvironmentFile(options.projectDir);
  const environment = effectiveEnvironment(text, recipe.platform, process.env);
  const channels = lockChannelsOf(environment);
  options.progress?.(`Locking the tracer (strace) for ${recipe.platform}`);
  let solved;
  try {
    solved = await solveBuiltin({
      channels,
      specs: [TRACER_SPEC],
      platform: recipe.platform,
      virtualPackages: virtualPackagesFor(recipe.platform),
      preferred: [],
      cache: options.cache,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (isCondenseError(error) && error.code === 'PACKAGE_NOT_FOUND') {
      throw new CondenseError(
        'PACKAGE_NOT_FOUND',
        `Tracing runs the checks under conda's strace package, and none of the project's channels (${channels.map((c) => c.publicUrl).join(', ')}) has it for ${recipe.platform}: add conda-forge, or a mirror of it, to environment.yml's channels.`,
      );
    }
    throw error;
  }
  return writeExplicitLockfile(
    solved.map((p) => ({ ...p, category: 'main', optional: false })),
    { platform: recipe.platform, inputHash: 'tracer', generator: `${APP_NAME} ${APP_VERSION}` },
  );
}

export interface TraceImageOptions {
  engine: Engine;
  recipe: Recipe;
  /** The variant image to trace (a tag of its build). */
  image: string;
  lockText: string;
  builder: 'buildkit' | 'classic';
  network: NetworkMode;
  signal?: AbortSignal;
  onLog?: (line: BuildLogLine) => void;
}

function contextOf(dockerfile: string, lockText: string): Readable {
  const archive = pack();
  archive.entry({ name: CONTEXT_DOCKERFILE, mode: 0o644, mtime: new Date(0) }, dockerfile);
  archive.entry({ name: TRACER_LOCKFILE, mode: 0o644, mtime: new Date(0) }, lockText);
  archive.finalize();
  return archive as unknown as Readable;
}

/** Builds the trace image (untagged, labelled) and returns its id. */
export async function buildTraceImage(options: TraceImageOptions): Promise<string> {
  const dockerfile = traceDockerfile({
    builderImage: options.recipe.builderImage,
    image: options.image,
    buildkitCache: options.builder === 'buildkit' && options.recipe.buildkitCache,
  });
  const built = await runBuild({
    engine: options.engine,
    context: contextOf(dockerfile, options.lockText),
    dockerfile,
    builder: options.builder,
    network: options.network,
    labels: { [TRACE_IMAGE_LABEL]: options.image, [TRACE_OWNER_LABEL]: OWNER },
    variant: 'trace',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  return built.imageId;
}

/**
 * Removes the trace images of traces that were killed before they could remove their own (kill -9,
 * a crash, SIGTERM past the grace period): every image labelled as a trace image whose building
 * process on this machine is gone. A trace of another live process keeps its image. Failures are
 * ignored: a leftover must never fail a trace.
 */
export async function removeLeftoverTraceImages(engine: Engine): Promise<string[]> {
  const removed: string[] = [];
  try {
    const images = await engineCall(engine, 'list leftover trace images', (abortSignal) =>
      engine.docker.listImages({
        filters: { label: [TRACE_IMAGE_LABEL] },
        abortSignal,
      } as object),
    );
    for (const image of images) {
      const owner = image.Labels?.[TRACE_OWNER_LABEL];
      // Without an owner label nothing says whose it is (another tool's, an older Condense's): kept.
      if (!owner || owner === OWNER || ownerAlive(owner)) continue;
      await engineCall(engine, 'remove a leftover trace image', (abortSignal) =>
        engine.docker.getImage(image.Id).remove({ force: true, abortSignal } as object),
      ).then(
        () => removed.push(image.Id),
        () => undefined,
      );
    }
  } catch {
    // The engine did not list them: the next trace tries again.
  }
  return removed;
}
