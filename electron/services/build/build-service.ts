import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';

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
import { NETWORK_MODES } from '../../../shared/checks/model';
import { SBOM_LABEL, sbomNamespace } from '../../../shared/delivery/sbom';
import { formatSize } from '../../../shared/format/size';
import type { ImageFile } from '../../../shared/recipe/model';
import { removeLeftoverChecks } from '../checks/check-container';
import { runImageChecks } from '../checks/run-checks';
import { planSmoke } from '../checks/smoke-modules';
import type { Engine } from '../docker/engine';
import { engineInfo } from '../docker/engine';
import { loadRecipe } from '../recipe/recipe-file';
import { createBuildContext } from './build-context';
import { newBuildId, openBuild, saveBuild } from './history-store';
import { imageResults } from './image-results';
import { checkKeep, pruneProjectImages } from './image-retention';
import { checkImageFiles, checkOwnPackage } from './preflight';
import { hasRecipe, recipeBuildInput } from './recipe-input';
import { runBuild } from './run-build';

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

const VARIANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Checks a request from an untrusted caller (the variants are checked by `selectVariants`). */
export function validateBuildRequest(request: BuildStartRequest): void {
  if (typeof request?.projectDir !== 'string' || !isAbsolute(request.projectDir)) {
    throw new CondenseError('INVALID_INPUT', 'projectDir must be an absolute folder path.');
  }
  if (!existsSync(request.projectDir) || !statSync(request.projectDir).isDirectory()) {
    throw new CondenseError(
      'NOT_FOUND',
      `The project folder ${request.projectDir} does not exist.`,
    );
  }
  if (
    request.repository !== undefined &&
    !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(request.repository)
  ) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Image repository "${request.repository}" is not valid: lowercase letters, digits, . _ - and /.`,
    );
  }
  const { concurrency } = request;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8)
  ) {
    throw new CondenseError('INVALID_INPUT', 'concurrency must be a whole number from 1 to 8.');
  }
  checkKeep(request.keepBuilds, 'keepBuilds');
  if (request.network !== undefined && !NETWORK_MODES.includes(request.network)) {
    throw new CondenseError('INVALID_INPUT', 'network must be default, host or none.');
  }
}

/** Checks the variants (from the request or the recipe) and picks those `only` names. */
export function selectVariants(given: VariantSpec[] | undefined, only?: string[]): VariantSpec[] {
  const variants = given?.length ? given : [{ id: 'default' }];
  const seen = new Set<string>();
  for (const variant of variants) {
    if (typeof variant?.id !== 'string' || !VARIANT_ID.test(variant.id)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `Variant id "${String(variant?.id)}" is not valid: use letters, digits, -, _ and . (at most 63).`,
      );
    }
    if (seen.has(variant.id)) {
      throw new CondenseError('INVALID_INPUT', `Variant "${variant.id}" is listed twice.`);
    }
    seen.add(variant.id);
    if (variant.target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(variant.target)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `Target stage "${variant.target}" is not a stage name.`,
      );
    }
  }
  const unknown = (only ?? []).filter((id) => !seen.has(id));
  if (unknown.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Unknown variant ${unknown.join(', ')}: the recipe has ${[...seen].join(', ')}.`,
    );
  }
  return only?.length ? variants.filter((v) => only.includes(v.id)) : variants;
}

/**
 * The hash of the lockfile a recipe installs, which names the image's SBOM (`condense sbom`); none
 * for a project without a recipe or a lock.
 */
async function recipeLockHash(projectDir: string): Promise<string | undefined> {
  if (!hasRecipe(projectDir)) return undefined;
  try {
    const recipe = await loadRecipe(projectDir);
    const text = await readFile(join(projectDir, recipe.lockfile));
    return createHash('sha256').update(text).digest('hex');
  } catch {
    return undefined; // the build itself reports a missing lock or a bad recipe
  }
}

/** `condense/<project folder>` in the characters Docker allows. */
export function defaultRepository(projectDir: string): string {
  const name = basename(projectDir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `condense/${name || 'project'}`;
}

interface BuildInput {
  dockerfile: string;
  python?: string;
  classicDockerfile?: string;
  variants?: VariantSpec[];
  network?: NetworkMode;
  service?: ServiceCheckSpec & { port: number };
  files?: ImageFile[];
}

/** The Dockerfile and variants: given in the request, else from condense.yml, else `./Dockerfile`. */
async function buildInput(request: BuildStartRequest): Promise<BuildInput> {
  const fromRecipe = hasRecipe(request.projectDir);
  if (request.dockerfile) {
    // The Image screen sends the Dockerfile it generated from the saved condense.yml: the recipe's
    // checks (network, service, files, own package) still apply. A hand-written Dockerfile beside an
    // unreadable recipe builds without them.
    const settings = fromRecipe
      ? await recipeBuildInput(request.projectDir).catch(() => undefined)
      : undefined;
    if (settings) await checkOwnPackage(request.projectDir, settings.recipe);
    const copied = (settings?.recipe.files ?? []).filter((f) =>
      request.dockerfile!.includes(` ${f.from} ${f.to}`),
    );
    return {
      dockerfile: request.dockerfile,
      ...(request.classicDockerfile ? { classicDockerfile: request.classicDockerfile } : {}),
      ...(request.variants ? { variants: request.variants } : {}),
      ...(settings
        ? {
            python: settings.python,
            network: settings.network,
            files: copied,
            ...(settings.service ? { service: settings.service } : {}),
          }
        : {}),
    };
  }
  if (fromRecipe) {
    const { recipe, ...input } = await recipeBuildInput(request.projectDir);
    // Refused before anything builds: a package pip cannot install, files that are not there.
    await checkOwnPackage(request.projectDir, recipe);
    return { ...input, files: recipe.files, variants: request.variants ?? input.variants };
  }
  const path = join(request.projectDir, 'Dockerfile');
  if (!existsSync(path)) {
    throw new CondenseError(
      'NOT_FOUND',
      `Nothing to build in ${request.projectDir}: no condense.yml and no Dockerfile. Create the recipe (condense init) first.`,
    );
  }
  return {
    dockerfile: await readFile(path, 'utf8'),
    ...(request.variants ? { variants: request.variants } : {}),
  };
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
): Promise<BuildRecord> {
  validateBuildRequest(request);
  const input = await buildInput(request);
  const variants = selectVariants(input.variants, request.only);
  const engine = deps.engine();
  job.emit('progress', { message: `Connecting to ${engine.target.host}` });
  const info: EngineInfo = await engineInfo(engine);
  const builder = info.buildkit && !request.classic ? 'buildkit' : 'classic';
  const dockerfile =
    builder === 'classic' && input.classicDockerfile ? input.classicDockerfile : input.dockerfile;
  if (builder === 'classic' && /--mount[= ]/.test(dockerfile)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `The engine at ${info.host} has no BuildKit and this Dockerfile uses RUN --mount; generate the classic form (conda clean -afy) instead.`,
    );
  }
  const network = request.network ?? input.network ?? 'default';
  const service = request.service ?? input.service;
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
    engine: {
      host: info.host,
      context: info.context,
      version: info.version,
      architecture: info.architecture,
    },
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
        await engine.docker
          .getImage(built.imageId)
          .tag({ repo: tag.slice(0, at), tag: tag.slice(at + 1) });
      }
    }
    const image = await imageResults(engine, built.imageId);
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
