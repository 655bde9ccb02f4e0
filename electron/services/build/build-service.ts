import { createHash } from 'node:crypto';

import type {
  BuildEvents,
  BuildLogLine,
  BuildRecord,
  BuildStartRequest,
  EngineInfo,
  VariantResult,
  VariantSpec,
} from '../../../shared/api/build';
import { CondenseError, toErrorInfo } from '../../../shared/api/errors';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { SBOM_LABEL, sbomNamespace } from '../../../shared/delivery/sbom';
import { formatSize } from '../../../shared/format/size';
import { PIP_SECRET_ID } from '../../../shared/recipe/dockerfile';
import type { ImageFile } from '../../../shared/recipe/model';
import { removeLeftoverChecks } from '../checks/check-container';
import { runImageChecks } from '../checks/run-checks';
import { planSmoke } from '../checks/smoke-modules';
import type { Engine } from '../docker/engine';
import { engineCall, engineInfo } from '../docker/engine';
import { pipBuildSecret } from '../pip/build-secret';
import { projectFolder } from '../project/project-folder';
import { createBuildContext } from './build-context';
import type { BuildSource } from './build-request';
import {
  defaultRepository,
  projectBuildSource,
  recipeLockHash,
  requestedService,
  selectVariants,
  validateBuildRequest,
} from './build-request';
import { newBuildId, openBuild, saveBuild } from './history-store';
import { imageResults } from './image-results';
import { checkKeep, pruneProjectImages } from './image-retention';
import { checkImageFiles } from './preflight';
import { runBuild } from './run-build';

export type { BuildSource } from './build-request';
export {
  defaultRepository,
  projectBuildSource,
  selectVariants,
  validateBuildRequest,
} from './build-request';

export interface BuildServiceDeps {
  /** The engine to build on (resolved from DOCKER_HOST / contexts by default). */
  engine: () => Engine;
  /** User cache root for the package file lists the smoke test's modules come from (`cacheDir()`). */
  cacheRoot?: string;
}

export interface BuildJobContext {
  signal: AbortSignal;
  emit<K extends keyof BuildEvents>(kind: K, data: BuildEvents[K]): void;
}

/**
 * Builds every variant as a target of one Dockerfile, one after another, so BuildKit answers the shared
 * stages (environment install) from its cache after the first. Each variant then gets its size, layers
 * and smoke tests. The record is saved in the project's history whatever the outcome.
 */
export async function buildProject(
  deps: BuildServiceDeps,
  request: BuildStartRequest,
  job: BuildJobContext,
  source?: BuildSource,
): Promise<BuildRecord> {
  validateBuildRequest(request);
  await projectFolder(request.projectDir, { environment: false });
  const input = source ?? (await projectBuildSource(request.projectDir));
  const variants = selectVariants(input.variants, request.variants);
  const engine = deps.engine();
  job.emit('progress', { message: `Connecting to ${engine.target.host}` });
  const info: EngineInfo = await engineInfo(engine, job.signal);
  const builder = info.buildkit && !request.classic ? 'buildkit' : 'classic';
  const dockerfile =
    builder === 'classic' && input.classicDockerfile ? input.classicDockerfile : input.dockerfile;
  if (builder === 'classic' && /--mount[= ]/.test(dockerfile)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `The engine at ${info.host} has no BuildKit and this Dockerfile uses RUN --mount; generate the classic form (conda clean -afy) instead.`,
    );
  }
  const pipSecret = await pipBuildSecret(
    request.projectDir,
    input.pipCredentialHosts ?? [],
    builder,
  );
  const network = request.network ?? input.network ?? 'default';
  const service = request.service ? requestedService(request.service) : input.service;
  const files = await checkImageFiles(request.projectDir, input.files ?? [], job.signal);
  for (const warning of files.warnings) job.emit('progress', { message: `Warning: ${warning}` });
  // Containers of checks a crashed or killed Condense left behind.
  const leftovers = await removeLeftoverChecks(engine);
  if (leftovers.length > 0) {
    job.emit('progress', {
      message: `Removed ${leftovers.length} check container(s) left by an earlier run`,
    });
  }
  // Before the history entry opens, so a cancel while reading the lock leaves nothing behind.
  const plan = await planSmoke(request.smoke, {
    projectDir: request.projectDir,
    ...(deps.cacheRoot ? { cacheRoot: deps.cacheRoot } : {}),
    signal: job.signal,
    onProgress: (message) => job.emit('progress', { message }),
  });
  const smoke =
    plan.spec && input.python && !plan.spec.python
      ? { ...plan.spec, python: input.python }
      : plan.spec;
  const id = newBuildId();
  const startedAt = new Date();
  const repository = request.repository ?? defaultRepository(request.projectDir);
  const lockHash = await recipeLockHash(request.projectDir);
  const { log } = await openBuild(request.projectDir, id);
  // Written before anything is tagged: an image tagged `<variant>-<id>` always has a record, even
  // when Condense is killed or the project's disk fills up during the build (then it reads as
  // interrupted). The final record replaces it atomically.
  const engineSummary = {
    host: info.host,
    context: info.context,
    version: info.version,
    architecture: info.architecture,
  };
  await saveBuild(request.projectDir, {
    id,
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    durationMs: 0,
    state: 'cancelled',
    builder,
    engine: engineSummary,
    dockerfileSha256: createHash('sha256').update(dockerfile).digest('hex'),
    variants: [],
    error: {
      code: 'CANCELLED',
      message:
        'The build was interrupted before it finished (Condense stopped or the disk filled up).',
    },
  }).catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  const results: (VariantResult | undefined)[] = new Array<VariantResult | undefined>(
    variants.length,
  );
  let fatal: unknown;
  let stop = false;
  let started = 0;
  const buildOne = async (index: number) => {
    const variant = variants[index]!;
    job.emit('progress', {
      message: `Building ${variant.id} (${++started}/${variants.length})`,
      fraction: results.filter(Boolean).length / variants.length,
    });
    const result = await buildVariant(
      engine,
      { ...request, ...(smoke ? { smoke } : {}) },
      variant,
      {
        ...(plan.skipped ? { smokeSkipped: plan.skipped } : {}),
        dockerfile,
        builder,
        network,
        ...(service ? { service } : {}),
        files: input.files ?? [],
        tags: [`${repository}:${variant.id}`, `${repository}:${variant.id}-${id}`],
        ...(lockHash
          ? { labels: { [SBOM_LABEL]: sbomNamespace(repository, lockHash, variant.id) } }
          : {}),
        job,
        ...(pipSecret ? { secrets: { [PIP_SECRET_ID]: pipSecret } } : {}),
        onLog: (line) => log.write(line),
      },
    );
    results[index] = result;
    job.emit('variant', result);
    if (result.state === 'cancelled') stop = true;
    const ownFailure =
      result.error?.code === 'BUILD_FAILED' || result.error?.code === 'CHECK_FAILED';
    if (result.error && !ownFailure && result.state !== 'cancelled') {
      fatal ??= result.error;
      stop = true;
    }
  };
  try {
    // The first variant builds the shared stages alone; the others then only add their own prune and
    // runtime stages, `concurrency` at a time (BuildKit shares identical steps between them).
    if (variants.length > 0) await buildOne(0);
    let next = 1;
    const worker = async () => {
      while (!stop && next < variants.length) await buildOne(next++);
    };
    const lanes = Math.max(1, Math.min(request.concurrency ?? 1, variants.length - 1));
    await Promise.all(Array.from({ length: lanes }, worker));
  } finally {
    await log.close();
  }
  const built = results.filter((r): r is VariantResult => r !== undefined);
  const finishedAt = new Date();
  const cancelled = job.signal.aborted || built.some((r) => r.state === 'cancelled');
  const failed = built.find((r) => r.state === 'failed');
  const record: BuildRecord = {
    id,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    state: cancelled ? 'cancelled' : failed ? 'failed' : 'succeeded',
    builder,
    engine: engineSummary,
    dockerfileSha256: createHash('sha256').update(dockerfile).digest('hex'),
    variants: built,
    ...(failed?.error ? { error: failed.error } : {}),
  };
  await saveBuild(request.projectDir, record);
  if (record.state === 'succeeded') await applyRetention(engine, request, repository, job);
  job.emit('progress', { message: `Build ${id} ${record.state}`, fraction: 1 });
  if (cancelled) throw new CondenseError('CANCELLED', 'Build cancelled.', { buildId: id });
  if (fatal || built.every((r) => r.state === 'failed')) {
    const info = (fatal as ReturnType<typeof toErrorInfo>) ?? failed!.error!;
    throw new CondenseError(info.code, info.message, { ...info.details, buildId: id });
  }
  return record;
}

/** Removes older builds' tags; a failed cleanup is reported, never fails the build that just worked. */
async function applyRetention(
  engine: Engine,
  request: BuildStartRequest,
  repository: string,
  job: BuildJobContext,
): Promise<void> {
  try {
    const pruned = await pruneProjectImages(engine, {
      projectDir: request.projectDir,
      repository,
      keep: checkKeep(request.keepBuilds, 'keepBuilds'),
      onProgress: (message) => job.emit('progress', { message }),
      signal: job.signal,
    });
    if (pruned.removed.length > 0) {
      job.emit('progress', {
        message: `Removed ${pruned.removed.length} old image tag(s) of ${pruned.buildsMarked.length} build(s)`,
      });
    }
  } catch (error) {
    job.emit('progress', {
      message: `Old images were not removed: ${toErrorInfo(error).message}`,
    });
  }
}

async function buildVariant(
  engine: Engine,
  request: BuildStartRequest,
  variant: VariantSpec,
  options: {
    dockerfile: string;
    builder: 'buildkit' | 'classic';
    tags: string[];
    labels?: Record<string, string>;
    network: NetworkMode;
    service?: ServiceCheckSpec & { port: number };
    files: ImageFile[];
    job: BuildJobContext;
    secrets?: Record<string, Buffer>;
    onLog: (line: BuildLogLine) => void;
    /** Why no smoke test runs (see `planSmoke`). */
    smokeSkipped?: string;
  },
): Promise<VariantResult> {
  const { job } = options;
  const base: VariantResult = {
    id: variant.id,
    ...(variant.target ? { target: variant.target } : {}),
    rules: variant.rules ?? [],
    ...(variant.bytecode ? { bytecode: variant.bytecode } : {}),
    state: 'failed',
    tags: [],
    layers: [],
    durationMs: 0,
    cachedSteps: 0,
    totalSteps: 0,
  };
  const started = performance.now();
  try {
    const context = await createBuildContext({
      projectDir: request.projectDir,
      dockerfile: options.dockerfile,
      signal: job.signal,
    });
    missingFromContext(options.files, context.files);
    // Built untagged: the tags move only once the checks below pass.
    const built = await runBuild({
      engine,
      context: context.stream,
      dockerfile: options.dockerfile,
      builder: options.builder,
      network: options.network,
      ...(options.labels ? { labels: options.labels } : {}),
      variant: variant.id,
      signal: job.signal,
      ...(variant.target ? { target: variant.target } : {}),
      ...(request.buildArgs ? { buildArgs: request.buildArgs } : {}),
      ...(request.noCache ? { noCache: true } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      onStep: (step) => job.emit('step', step),
      onLog: (line) => {
        options.onLog(line);
        job.emit('log', line);
      },
    });
    const checks = await runImageChecks({
      engine,
      imageId: built.imageId,
      name: variant.id,
      ...(request.smoke ? { smoke: request.smoke } : {}),
      ...(options.service ? { service: options.service } : {}),
      network: options.network,
      signal: job.signal,
      onProgress: (message) => job.emit('progress', { message }),
      onSmoke: (smoke) => job.emit('smoke', { variant: variant.id, result: smoke }),
      onService: (service) => job.emit('service', { variant: variant.id, result: service }),
    });
    if (checks.passed) {
      for (const tag of options.tags) {
        const at = tag.lastIndexOf(':');
        await engineCall(
          engine,
          `tag ${tag}`,
          () =>
            engine.docker
              .getImage(built.imageId)
              .tag({ repo: tag.slice(0, at), tag: tag.slice(at + 1) }),
          job.signal,
        );
      }
    }
    const image = await imageResults(engine, built.imageId, job.signal);
    // The size in the log too, as people read it (the same formatter as the UI and CLI tables).
    job.emit('progress', {
      message: `Built ${variant.id}: ${formatSize(image.sizeBytes)} in ${image.layers.length} layers`,
    });
    const result: VariantResult = {
      ...base,
      state: checks.passed ? 'succeeded' : 'failed',
      imageId: image.imageId,
      // A failed check moves no tag: the image stays, untagged, for inspection.
      tags: checks.passed ? image.tags : [],
      sizeBytes: image.sizeBytes,
      layers: image.layers,
      durationMs: built.durationMs,
      cachedSteps: built.decoded.cachedSteps,
      totalSteps: built.decoded.totalSteps,
      ...(checks.command ? { command: checks.command } : {}),
      ...(checks.smoke ? { smoke: checks.smoke } : {}),
      ...(checks.service ? { service: checks.service } : {}),
      ...(checks.serviceSkipped ? { serviceSkipped: checks.serviceSkipped } : {}),
      ...(checks.passed
        ? {}
        : {
            error: {
              code: 'CHECK_FAILED' as const,
              message: `${variant.id} was not tagged: ${checks.failure ?? 'a check failed'}`,
              details: { imageId: image.imageId },
            },
          }),
    };
    if (!checks.smoke && options.smokeSkipped) {
      result.smokeSkipped = options.smokeSkipped;
      job.emit('progress', {
        message: `Smoke test of ${variant.id} skipped: ${options.smokeSkipped}`,
      });
    }
    return result;
  } catch (error) {
    const info = toErrorInfo(error);
    return {
      ...base,
      state: job.signal.aborted || info.code === 'CANCELLED' ? 'cancelled' : 'failed',
      durationMs: performance.now() - started,
      error: info,
    };
  }
}

/** A `files:` entry the build context lacks (a `.dockerignore` of the project left it out) is refused. */
function missingFromContext(files: ImageFile[], sent: string[]): void {
  for (const [i, file] of files.entries()) {
    if (sent.some((path) => path === file.from || path.startsWith(`${file.from}/`))) continue;
    throw new CondenseError(
      'INVALID_INPUT',
      `condense.yml files[${i}].from: ${file.from} is left out of the build context by the project's .dockerignore: remove the line that matches it.`,
      { field: `files[${i}].from` },
    );
  }
}
