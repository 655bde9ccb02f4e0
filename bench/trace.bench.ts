// Tracing the seed-shaped service (issue 13, benchmark): fixtures/examples/nyc-taxi-fare (FastAPI +
// scikit-learn model under gunicorn with uvicorn workers) built with the build service per preset
// (none, safe, expert), the expert variant traced with condense.yml's checks (the imports derived
// from the lock, the /predict service check) and its `traced` variant built and re-checked. One table:
// each variant's image against the traced limit (the bytes the checks used plus the runtime base).
// Goals: traced within 1.05x of the limit and passing every check; the trace (up to its report, the
// trace image included) faster than one build. Then the traced variant is traced in turn, to show
// what its image keeps that no check used (whole Python packages kept for correctness, ...).
// Needs the engine, the fixture images and the realistic channel (bash fixtures/realistic/build.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { defaultRepository } from '../electron/services/build/build-request';
import { buildProject } from '../electron/services/build/build-service';
import { connectEngine } from '../electron/services/docker/engine';
import { loadRecipe, writeRecipeFile } from '../electron/services/recipe/recipe-file';
import { traceProject } from '../electron/services/trace/trace-service';
import { nycTaxiFareProject } from '../fixtures/examples/example-project';
import { onTestEngine } from '../fixtures/examples/example-service';
import { formatSize, formatSizeColumn } from '../shared/format/size';
import type { TraceReport } from '../shared/trace/model';
import { realisticChannelAvailable, serveRealisticChannel } from '../test/support/channels';
import { connectDocker, fixtureImagesRequirement, runInImage } from '../test/support/docker';
import { dockerHost } from '../test/support/requirements';
import { removeRepository } from '../test/support/test-images';

const PRESETS = ['none', 'safe', 'expert'] as const;
const TRACED = 'expert';

const docker = connectDocker();
const ready = await fixtureImagesRequirement(docker);
if (!ready.ok || !realisticChannelAvailable()) {
  console.log(`skipped: ${ready.reason || 'the realistic channel is not built'}`);
  process.exit(0);
}
const channel = (await serveRealisticChannel())!;
const work = mkdtempSync(join(tmpdir(), 'condense-bench-trace-'));
const cacheRoot = join(work, 'cache');
process.env.CONDENSE_CACHE_DIR = cacheRoot;
const engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
const deps = { engine: () => engine, cacheRoot };
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
let project: string | undefined;

/** Runs a trace; `reportMs`: until the report (the trace itself), `totalMs`: with the suggestion. */
async function timedTrace(variant: string, suggest: boolean) {
  const started = performance.now();
  let reportMs = 0;
  const phases: { message: string; at: number }[] = [];
  const record = await traceProject(
    deps,
    { projectDir: project!, variant, suggest },
    {
      signal: new AbortController().signal,
      emit: (kind: string, data: unknown) => {
        if (kind === 'report') reportMs = performance.now() - started;
        const message = (data as { message?: string } | undefined)?.message;
        if (kind === 'progress' && message && phases.at(-1)?.message !== message)
          phases.push({ message, at: performance.now() - started });
      },
    },
  );
  // Where the trace's time went, up to the report: the longest steps by progress message.
  const steps = phases
    .filter((p) => p.at < reportMs)
    .map((p, i, all) => ({ message: p.message, ms: (all[i + 1]?.at ?? reportMs) - p.at }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((p) => `${p.message.slice(0, 60)} ${seconds(p.ms)}`)
    .join('; ');
  return { record, reportMs, totalMs: performance.now() - started, steps };
}

/**
 * Imports every module of the big packages the traced variant keeps whole (tests aside) and prints
 * the ones that fail: a module no check imported must still import when its package is kept.
 */
const IMPORT_SWEEP = `
import importlib, pkgutil
failed = []
count = 0
def record(name, error):
    failed.append(f"{name}: {type(error).__name__}: {str(error)[:160]}")
for top in ["sklearn", "scipy", "pandas", "numpy"]:
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + ".", onerror=lambda n: failed.append(n + ": (walk)")):
        if ".tests" in info.name or "conftest" in info.name or "._test" in info.name:
            continue
        count += 1
        try:
            importlib.import_module(info.name)
        except BaseException as error:
            record(info.name, error)
print("SWEEP", count, len(failed))
print("\\n".join(failed))
`;

async function importSweep(image: string): Promise<{ count: number; failed: string[] }> {
  const run = await runInImage(docker, image, [], {
    entrypoint: ['/env/bin/python', '-c', IMPORT_SWEEP],
    timeoutMs: 1_200_000,
  });
  // Modules may print on import: the sweep's own lines start at its marker.
  const lines = run.stdout.split('\n');
  const at = lines.findIndex((line) => line.startsWith('SWEEP '));
  const count = at >= 0 ? Number(lines[at]!.split(' ')[1]) : NaN;
  if (run.exitCode !== 0 || Number.isNaN(count))
    throw new Error(`import sweep in ${image}: exit ${run.exitCode}: ${run.stderr.slice(-500)}`);
  const rest = lines.slice(at + 1);
  return { count, failed: rest.filter((line) => line.length > 0) };
}

/** The packages whose used bytes the report counts most, largest first. */
function usedByPackage(report: TraceReport, count: number): string {
  return [...report.packages]
    .sort((a, b) => b.usedBytes - a.usedBytes)
    .slice(0, count)
    .map((p) => `${p.name} ${formatSize(p.usedBytes)}`)
    .join(', ');
}

/** The packages whose unused bytes the report counts most, largest first. */
function unusedByPackage(report: TraceReport, count: number): string {
  return [...report.packages]
    .map((p) => ({ name: p.name, unused: p.shippedBytes - p.usedBytes }))
    .sort((a, b) => b.unused - a.unused)
    .slice(0, count)
    .map((p) => `${p.name} ${formatSize(p.unused)}`)
    .join(', ');
}

try {
  // A folder name of its own: the images are `condense/<folder>:...`, and other tests on a shared
  // engine remove `condense/project`.
  const example = await nycTaxiFareProject(join(work, basename(work)), channel.url, cacheRoot);
  project = example.dir;
  console.log(
    `fixture: lock ${example.timings.lockSeconds.toFixed(1)} s, model.pkl ${example.timings.modelSeconds.toFixed(1)} s${example.timings.modelCached ? ' (cached)' : ''}`,
  );
  const loaded = await loadRecipe(project);
  await writeRecipeFile(project, {
    ...(await onTestEngine(loaded)),
    variants: loaded.variants.filter((v) => (PRESETS as readonly string[]).includes(v.id)),
  });

  // One build per variant, through the build service (checks included), so each has its own time.
  const sizes: Record<string, number> = {};
  const builds: { id: string; ms: number }[] = [];
  for (const id of PRESETS) {
    const record = await buildProject(
      deps,
      { projectDir: project, variants: [id], keepBuilds: 0 },
      { signal: new AbortController().signal, emit: () => undefined },
    );
    const result = record.variants.find((v) => v.id === id)!;
    if (record.state !== 'succeeded' || result.sizeBytes === undefined)
      throw new Error(`${id}: build ${record.state}: ${result.error?.message ?? ''}`);
    sizes[id] = result.sizeBytes;
    builds.push({ id, ms: record.durationMs });
    console.log(`built ${id} in ${seconds(record.durationMs)}, checks passed`);
  }

  const traced = await timedTrace(TRACED, true);
  const report = traced.record.report;
  const verified = traced.record.verified;
  console.log(
    `traced ${TRACED}: report after ${seconds(traced.reportMs)}, suggestion built and re-checked after ${seconds(traced.totalMs)}: ${verified?.message ?? 'no suggestion'}`,
  );
  console.log(`trace steps, longest first: ${traced.steps}`);
  console.log(`used by package: ${usedByPackage(report, 8)}`);
  if (verified?.passed && verified.sizeBytes !== undefined) sizes.traced = verified.sizeBytes;

  const ids = [...PRESETS, 'traced'].filter((id) => sizes[id] !== undefined);
  const column = formatSizeColumn([...ids.map((id) => sizes[id]!), report.limitBytes]);
  console.log('');
  console.log(
    `limit (${TRACED} traced): ${column[ids.length]} = used ${formatSize(report.usedBytes)} + runtime base ${formatSize(report.baseBytes)}`,
  );
  console.log('');
  console.log('| variant | image | x limit | checks |');
  console.log('|---|---|---|---|');
  ids.forEach((id, i) => {
    const checks = id === 'traced' ? (verified?.passed ? 'passed' : 'failed') : 'passed';
    console.log(
      `| ${id} | ${column[i]} | ${(sizes[id]! / report.limitBytes).toFixed(2)}x | ${checks} |`,
    );
  });
  console.log(`| limit | ${column[ids.length]} | 1.00x | |`);
  console.log('');
  const first = builds[0]!;
  const tracedBuild = builds.find((b) => b.id === TRACED)!;
  console.log(
    `trace ${seconds(traced.reportMs)} against one build: ${first.id} ${seconds(first.ms)} (builder stage cold: ${(traced.reportMs / first.ms).toFixed(2)}x), ${tracedBuild.id} ${seconds(tracedBuild.ms)} (builder stage cached: ${(traced.reportMs / tracedBuild.ms).toFixed(2)}x)`,
  );
  const ratio = sizes.traced !== undefined ? sizes.traced / report.limitBytes : undefined;
  console.log(
    `goals: traced within 1.05x of the limit: ${ratio === undefined ? 'no traced variant' : ratio <= 1.05 ? 'met' : `missed (${ratio.toFixed(2)}x)`}; trace under one build: ${traced.reportMs < first.ms ? 'met' : 'missed'} (cold), ${traced.reportMs < tracedBuild.ms ? 'met' : 'missed'} (cached)`,
  );

  if (sizes.traced !== undefined) {
    // What the traced image keeps that its checks do not use: the gap to the limit.
    const again = await timedTrace('traced', false);
    const r = again.record.report;
    console.log('');
    console.log(
      `traced variant traced again (tracer stage cached): report after ${seconds(again.reportMs)}; steps: ${again.steps}`,
    );
    console.log(
      `traced variant traced again: ${formatSize(r.usedBytes)} used of ${formatSize(r.shippedBytes)} shipped; probes ${r.probes.every((p) => p.passed) ? 'passed' : 'FAILED'}`,
    );
    console.log(`kept but unused, by package: ${unusedByPackage(r, 8)}`);
    // "Whole Python packages kept" checked beyond the checks: every module of them imports.
    const repository = defaultRepository(project);
    const expert = await importSweep(`${repository}:${TRACED}`);
    const sweep = await importSweep(`${repository}:traced`);
    const broken = sweep.failed.filter(
      (line) => !expert.failed.some((e) => e.split(':')[0] === line.split(':')[0]),
    );
    console.log(
      `import sweep (every module of sklearn, scipy, pandas, numpy; tests aside): ${TRACED} ${expert.count - expert.failed.length}/${expert.count} import, traced ${sweep.count - sweep.failed.length}/${sweep.count}; failing only in traced: ${broken.length}`,
    );
    for (const line of broken.slice(0, 15)) console.log(`  ${line}`);
  }
} finally {
  if (project) await removeRepository(engine.docker, defaultRepository(project));
  await channel.close();
  rmSync(work, { recursive: true, force: true });
}
