import type { BuildRecord, SmokeSpec, VariantResult } from '../../../shared/api/build';
import { CondenseError, toErrorInfo } from '../../../shared/api/errors';
import type { JobProgress } from '../../../shared/api/jobs';
import type { TraceEvents, TraceRecord, TraceStartRequest } from '../../../shared/api/trace';
import type { ServiceCheckSpec } from '../../../shared/checks/model';
import { defaultServiceCheck } from '../../../shared/checks/model';
import { redactDeep } from '../../../shared/format/redact';
import { PRUNE_RULES } from '../../../shared/recipe/catalog';
import type { Recipe, Variant } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import type { TraceAnalysisInput } from '../../../shared/trace/model';
import { TRACED_VARIANT_ID } from '../../../shared/trace/model';
import { traceReport } from '../../../shared/trace/report';
import { resolveUsage } from '../../../shared/trace/resolve';
import { suggestTraced } from '../../../shared/trace/suggest';
import { lockedFileLists } from '../analysis/savings-analysis';
import { defaultRepository } from '../build/build-request';
import { buildProject } from '../build/build-service';
import { listBuilds, loadBuild } from '../build/history-store';
import { recipeBuildInput } from '../build/recipe-input';
import { cacheDir } from '../channels/channel-url';
import { removeLeftoverChecks } from '../checks/check-container';
import { planSmoke } from '../checks/smoke-modules';
import type { Engine } from '../docker/engine';
import { engineCall, engineInfo } from '../docker/engine';
import { defaultRepodataCache } from '../lock/lock-service';
import { readRecipeFile } from '../recipe/recipe-file';
import { writeTracedVariant } from '../recipe/traced-variant';
import { readImageTree } from './image-tree';
import { saveTrace } from './trace-store';
import { runTracedChecks } from './traced-checks';
import { buildTraceImage, removeLeftoverTraceImages, tracerLock } from './tracer-image';

export { listTraces } from './trace-store';

export interface TraceServiceDeps {
  engine: () => Engine;
  /** User cache root (package file lists). */
  cacheRoot?: string;
}

export interface TraceJobContext {
  signal: AbortSignal;
  emit(kind: 'progress', data: JobProgress): void;
  emit<K extends keyof TraceEvents>(kind: K, data: TraceEvents[K]): void;
}

function recipeService(recipe: Recipe): (ServiceCheckSpec & { port: number }) | undefined {
  return recipe.port !== null
    ? { ...(recipe.service ?? defaultServiceCheck()), port: recipe.port }
    : undefined;
}

/** condense.yml's `trace.requests`, with the service check's deadline. */
function traceRequests(
  recipe: Recipe,
  service: (ServiceCheckSpec & { port: number }) | undefined,
): ServiceCheckSpec[] {
  if (!service) return [];
  return (recipe.trace?.requests ?? []).map((r) => ({
    ...r,
    timeoutSeconds: service.timeoutSeconds,
  }));
}

/** The variants a recipe builds: its `variants`, or the single image as `default`. */
function recipeVariants(recipe: Recipe): Variant[] {
  return recipe.variants.length > 0 ? recipe.variants : [{ id: 'default', prune: recipe.prune }];
}

/** The newest successful build of the variant whose image is still on the engine. */
async function builtVariant(
  engine: Engine,
  projectDir: string,
  variant: string,
  signal: AbortSignal,
): Promise<{ record: BuildRecord; result: VariantResult; tag: string }> {
  for (const summary of await listBuilds(projectDir)) {
    const built = summary.variants.find((v) => v.id === variant && v.state === 'succeeded');
    if (!built || summary.imagesRemoved) continue;
    const record = await loadBuild(projectDir, summary.id);
    const result = record.variants.find((v) => v.id === variant);
    const tag = result?.tags.find((t) => t.endsWith(`-${record.id}`)) ?? result?.tags[0];
    if (!result || !tag) continue;
    const exists = await engineCall(
      engine,
      `inspect ${tag}`,
      (abortSignal) =>
        engine.docker
          .getImage(tag)
          .inspect({ abortSignal } as object)
          .then(
            () => true,
            (error: { statusCode?: number }) => {
              if (error.statusCode === 404) return false;
              throw error;
            },
          ),
      signal,
    );
    if (exists) return { record, result, tag };
  }
  throw new CondenseError(
    'NOT_FOUND',
    `No built image of variant "${variant}" is on the engine: build it first (condense build --variant ${variant}), then trace it.`,
    { variant },
  );
}

/**
 * Traces a built variant: its checks (the smoke test, the check command, the service check and
 * condense.yml's `trace:` commands and requests) run under strace in a trace image, and every path
 * they touched is resolved against the image's own files. The report says what was used against what
 * ships; with `suggest`, the `traced` variant is built, checked with every check of condense.yml, and
 * written into condense.yml only when it passes.
 */
export async function traceProject(
  deps: TraceServiceDeps,
  request: TraceStartRequest,
  job: TraceJobContext,
): Promise<TraceRecord> {
  const { projectDir } = request;
  const signal = job.signal;
  const progress = (message: string, fraction?: number) =>
    job.emit('progress', { message, ...(fraction !== undefined ? { fraction } : {}) });
  const read = await readRecipeFile(projectDir);
  if (read.issues.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `condense.yml has problems to fix before tracing: ${read.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { issues: read.issues },
    );
  }
  const recipe = read.recipe;
  const variants = recipeVariants(recipe);
  const variantId = request.variant ?? variants[0]!.id;
  const variant = variants.find((v) => v.id === variantId);
  if (!variant) {
    throw new CondenseError(
      'NOT_FOUND',
      `condense.yml has no variant "${variantId}": trace one of ${variants.map((v) => v.id).join(', ')}.`,
      { field: 'variant' },
    );
  }
  const engine = deps.engine();
  const info = await engineInfo(engine, signal);
  const builder = info.buildkit ? 'buildkit' : 'classic';
  const network = request.network ?? recipe.network;
  const built = await builtVariant(engine, projectDir, variantId, signal);
  await removeLeftoverChecks(engine);
  await removeLeftoverTraceImages(engine);

  progress('Preparing the tracer', 0.05);
  const lockText = await tracerLock({
    projectDir,
    recipe,
    cache: defaultRepodataCache(),
    signal,
    progress,
  });
  // Its own step: installing strace in the builder waits for the package cache like any build, and
  // without this line the whole wait showed as "Locking the tracer".
  progress('Building the trace image (the variant plus strace)', 0.1);
  const traceImage = await buildTraceImage({
    engine,
    recipe,
    image: built.tag,
    lockText,
    builder,
    network,
    signal,
  });
  try {
    progress('Reading the image files', 0.15);
    const entries = await readImageTree(engine, traceImage, signal);
    const smoke = await traceSmoke(deps, request, recipe, built.result, signal, progress);
    const service = request.service ?? recipeService(recipe);
    progress('Running the checks under the tracer', 0.25);
    const traced = await runTracedChecks({
      engine,
      imageId: traceImage,
      ...(smoke ? { smoke } : {}),
      ...(service ? { service } : {}),
      requests: traceRequests(recipe, service),
      commands: [...(recipe.trace?.commands ?? []), ...(request.commands ?? [])],
      network,
      signal,
      onProgress: (message) => progress(message),
    });
    progress('Reading what the checks used', 0.6);
    const { lists } = await lockedFileLists({
      projectDir,
      recipe,
      cacheRoot: deps.cacheRoot ?? cacheDir(),
      signal,
    });
    const input: TraceAnalysisInput = {
      variant: variantId,
      prefix: recipe.prefix,
      entries,
      used: resolveUsage(entries, traced.accesses),
      packages: lists,
      files: recipe.files,
      rules: resolvePrune(
        { preset: 'none', add: PRUNE_RULES.map((r) => r.id), remove: [], custom: [] },
        recipe.platform,
      ),
      keep: recipe.trace?.keep ?? [],
      probes: traced.probes,
    };
    // Probe messages carry the checks' own output: redacted before anything leaves the service.
    const report = redactDeep(traceReport(input));
    job.emit('report', report);
    const record: TraceRecord = {
      variant: variantId,
      tracedAt: new Date().toISOString(),
      imageId: built.result.imageId ?? '',
      report,
    };
    if (request.suggest) {
      const failed = traced.probes.filter((p) => !p.passed);
      if (failed.length > 0) {
        record.verified = {
          passed: false,
          message: `No variant is suggested: a check failed under the tracer (${failed.map((p) => p.label).join('; ')}), so the trace does not show everything the image needs.`,
        };
      } else {
        const suggestion = suggestTraced(input, variant);
        record.suggestion = suggestion;
        record.verified = await verifySuggestion(
          deps,
          request,
          { recipe, revision: read.revision },
          { id: TRACED_VARIANT_ID, prune: suggestion.prune },
          job,
        );
      }
    }
    const saved = await saveTrace(projectDir, record);
    progress(`Traced ${variantId}`, 1);
    return saved;
  } finally {
    // After a cancel too (no parent signal), but never longer than one engine deadline.
    await engineCall(engine, 'remove the trace image', (abortSignal) =>
      engine.docker.getImage(traceImage).remove({ force: true, abortSignal } as object),
    ).catch(() => undefined);
  }
}

/**
 * The smoke test as the build ran it: the request's checks, else the modules derived from the lock
 * and the check command the variant's build ran.
 */
async function traceSmoke(
  deps: TraceServiceDeps,
  request: TraceStartRequest,
  recipe: Recipe,
  built: VariantResult,
  signal: AbortSignal,
  progress: (message: string) => void,
): Promise<SmokeSpec | undefined> {
  const plan = await planSmoke(request.smoke, {
    projectDir: request.projectDir,
    ...(deps.cacheRoot ? { cacheRoot: deps.cacheRoot } : {}),
    signal,
    onProgress: progress,
  });
  const spec: SmokeSpec = { ...plan.spec, python: `${recipe.prefix}/bin/python` };
  const command = built.smoke?.checks.find((c) => c.kind === 'command')?.command;
  if (!spec.command && command && !request.smoke) spec.command = command;
  return (spec.modules?.length ?? 0) > 0 || spec.command ? spec : undefined;
}

/** condense.yml's `trace:` commands and requests (and the request's), run on the built candidate. */
async function extraProbes(
  deps: TraceServiceDeps,
  request: TraceStartRequest,
  recipe: Recipe,
  result: VariantResult,
  job: TraceJobContext,
): Promise<{ passed: false; message: string } | undefined> {
  const commands = [...(recipe.trace?.commands ?? []), ...(request.commands ?? [])];
  const service = request.service ?? recipeService(recipe);
  const requests = traceRequests(recipe, service);
  if (commands.length === 0 && requests.length === 0) return undefined;
  const { probes } = await runTracedChecks({
    engine: deps.engine(),
    imageId: result.imageId ?? '',
    commands,
    ...(service && requests.length > 0 ? { service, requests } : {}),
    network: request.network ?? recipe.network,
    traced: false,
    signal: job.signal,
    onProgress: (message) => job.emit('progress', { message }),
  });
  const failed = probes.filter((p) => !p.passed);
  if (failed.length === 0) return undefined;
  return {
    passed: false,
    message: `The ${TRACED_VARIANT_ID} variant failed ${failed.map((p) => `${p.label} (${p.message})`).join('; ')}, so it was not written to condense.yml.`,
  };
}

/**
 * Builds the suggested variant with every check of condense.yml (and the trace's own), and writes it
 * into condense.yml only when the build passes them all.
 */
async function verifySuggestion(
  deps: TraceServiceDeps,
  request: TraceStartRequest,
  { recipe, revision }: { recipe: Recipe; revision: string },
  candidate: Variant,
  job: TraceJobContext,
): Promise<NonNullable<TraceRecord['verified']>> {
  const { projectDir } = request;
  const others = recipe.variants.filter((v) => v.id !== TRACED_VARIANT_ID);
  const base = others.length > 0 ? others : [{ id: 'default', prune: recipe.prune }];
  const withCandidate: Recipe = { ...recipe, variants: [...base, candidate] };
  job.emit('progress', {
    message: `Building the ${TRACED_VARIANT_ID} variant to check it`,
    fraction: 0.7,
  });
  const { recipe: _recipe, ...input } = await recipeBuildInput(projectDir, withCandidate);
  let record: BuildRecord;
  try {
    record = await buildProject(
      { engine: deps.engine, ...(deps.cacheRoot ? { cacheRoot: deps.cacheRoot } : {}) },
      {
        projectDir,
        variants: [TRACED_VARIANT_ID],
        repository: defaultRepository(projectDir),
        ...(request.network ? { network: request.network } : {}),
        // condense.yml's checks (imports derived from the lock, its service check), whatever
        // narrowed the trace; the check command of the trace too.
        ...(request.smoke?.command ? { smoke: { command: request.smoke.command } } : {}),
      },
      {
        signal: job.signal,
        emit: (kind, data) => {
          if (kind === 'progress') job.emit('progress', data as JobProgress);
        },
      },
      { ...input, files: recipe.files },
    );
  } catch (error) {
    if (job.signal.aborted) throw error;
    const info = toErrorInfo(error);
    return {
      passed: false,
      message: `The ${TRACED_VARIANT_ID} variant failed its checks, so it was not written to condense.yml: ${info.message}`,
      ...(typeof info.details?.buildId === 'string' ? { buildId: info.details.buildId } : {}),
    };
  }
  const result = record.variants.find((v) => v.id === TRACED_VARIANT_ID);
  const smokeFailed = result?.smoke && !result.smoke.passed;
  if (!result || result.state !== 'succeeded' || smokeFailed) {
    const why = smokeFailed
      ? 'its smoke test failed'
      : (result?.error?.message ?? `its build ${record.state}`);
    return {
      passed: false,
      message: `The ${TRACED_VARIANT_ID} variant failed its checks, so it was not written to condense.yml: ${why}.`,
      buildId: record.id,
    };
  }
  const extras = await extraProbes(deps, request, recipe, result, job);
  if (extras) return { ...extras, buildId: record.id };
  // Under the revision the trace started from: a condense.yml edited meanwhile is never overwritten.
  await writeTracedVariant(projectDir, candidate.prune, revision);
  return {
    passed: true,
    message: `The ${TRACED_VARIANT_ID} variant passed every check and was written to condense.yml.`,
    buildId: record.id,
    ...(result.sizeBytes !== undefined ? { sizeBytes: result.sizeBytes } : {}),
  };
}
