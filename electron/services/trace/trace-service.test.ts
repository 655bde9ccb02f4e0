// Tracing on the real engine with the realistic channel's strace: the trace service fixture reads a
// data file from C (SQLite), loads a library with dlopen (ctypes) and imports packages lazily in its
// handler; the trace sees each. The suggested variant is built, passes condense.yml's checks and is
// written to condense.yml; a narrow trace (a request that skips /report's code path) is caught by the
// re-check and nothing is written.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../../../fixtures/examples/example-service';
import type { TraceRecord } from '../../../shared/api/trace';
import type { PackageUsage, TraceReport } from '../../../shared/trace/model';
import { type ServedChannel, serveRealisticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';
import { connectDocker, fixtureImagesRequirement } from '../../../test/support/docker';
import { available, dockerHost } from '../../../test/support/requirements';
import { writeServiceRecipe } from '../../../test/support/service-project';
import { removeRepository } from '../../../test/support/test-images';
import {
  createTraceServiceProject,
  traceServiceRecipe,
} from '../../../test/support/trace-service-project';
import { defaultRepository } from '../build/build-request';
import { buildProject } from '../build/build-service';
import { connectEngine, type Engine } from '../docker/engine';
import { loadRecipe } from '../recipe/recipe-file';
import { traceProject } from './trace-service';
import { listTraces } from './trace-store';

const docker = connectDocker();
let channel: ServedChannel | undefined;
let engine: Engine;
let work: string;
let project: string;
let cacheRoot: string;

const job = () => {
  const progress: string[] = [];
  return {
    progress,
    context: {
      signal: new AbortController().signal,
      emit: (kind: string, data: unknown) => {
        if (kind === 'progress') progress.push((data as { message: string }).message);
      },
    },
  };
};

beforeAll(async () => {
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  if (!channel) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  work = await mkdtemp(join(tmpdir(), 'condense-trace-'));
  // A folder name of its own: tests remove their repository (condense/<folder>) when they end.
  project = join(work, 'trace-service-project');
  cacheRoot = join(work, 'cache');
  process.env.CONDENSE_CACHE_DIR = cacheRoot;
  await createTraceServiceProject(project, channel.url, cacheRoot);
  await writeServiceRecipe(project, traceServiceRecipe(await freePort()));
  await buildProject(
    { engine: () => engine, cacheRoot },
    { projectDir: project, keepBuilds: 0 },
    { signal: new AbortController().signal, emit: () => undefined },
  );
}, 600_000);

afterAll(async () => {
  if (engine) await removeRepository(engine.docker, defaultRepository(project));
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function usedIn(report: TraceReport, folder: RegExp): number {
  return report.packages
    .flatMap((p: PackageUsage) => p.folders)
    .filter((f) => folder.test(f.path))
    .reduce((sum, f) => sum + f.usedBytes, 0);
}

describe('tracing a built variant (real engine)', () => {
  let traced: TraceRecord;

  it('sees the data file read from C, the dlopen library and the lazy imports of the handler', async () => {
    if (!channel) return;
    const { context, progress } = job();
    traced = await traceProject(
      { engine: () => engine, cacheRoot },
      { projectDir: project },
      context,
    );
    const report = traced.report;
    expect(report.probes.map((p) => [p.kind, p.passed])).toEqual([
      ['imports', true],
      ['service', true],
    ]);
    // /app/data.db is opened by libsqlite3, not Python: it is the one `files:` entry.
    const yours = report.packages.find((p) => p.name === '(your files)');
    expect(yours && yours.usedBytes).toBe(yours?.shippedBytes);
    expect(yours?.usedBytes).toBeGreaterThan(0);
    // ctypes.CDLL("libuuid.so.1") in the handler: nothing else loads it.
    const libuuid = report.packages.find((p) => p.name === 'libuuid');
    expect(libuuid?.usedBytes).toBeGreaterThan(0);
    // Imported lazily inside the handlers.
    expect(usedIn(report, /^lib\/python3\.11\/xml\/dom$/)).toBeGreaterThan(0);
    expect(usedIn(report, /^lib\/python3\.11\/email\/mime$/)).toBeGreaterThan(0);
    // Never imported by anything: idle's files ship but are not used.
    expect(usedIn(report, /^lib\/python3\.11\/idlelib/)).toBe(0);
    expect(report.limitBytes).toBe(report.usedBytes + report.baseBytes);
    expect(report.limitBytes).toBeLessThan(report.shippedBytes);
    expect(progress.some((m) => /Running the checks under the tracer/.test(m))).toBe(true);
    // The trace image's build is a step of its own, not part of "Locking the tracer".
    expect(progress.some((m) => /Building the trace image/.test(m))).toBe(true);
    expect((await listTraces(project)).map((r) => r.variant)).toEqual(['default']);
  }, 600_000);

  it('condense trace --json prints the figures issue 13 names, per package', async () => {
    if (!channel) return;
    const { code, stdout, stderr } = await runCliCaptured([
      'trace',
      '--json',
      '--project',
      project,
    ]);
    expect({ code, stderr: stderr.includes('Running the checks under the tracer') }).toEqual({
      code: 0,
      stderr: true,
    });
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(printed).sort()).toEqual([
      'limitBytes',
      'packages',
      'shippedBytes',
      'usedBytes',
      'variant',
    ]);
    expect(printed.variant).toBe('default');
    const packages = printed.packages as {
      name: string;
      usedBytes: number;
      shippedBytes: number;
    }[];
    expect(packages.find((p) => p.name === 'python')?.usedBytes).toBeGreaterThan(0);
    expect(packages.every((p) => p.usedBytes <= p.shippedBytes)).toBe(true);
  }, 600_000);

  it('a narrow trace (a request that skips /report) is caught by the re-check: nothing is written', async () => {
    if (!channel) return;
    const before = await readFile(join(project, 'condense.yml'), 'utf8');
    const recipe = await loadRecipe(project);
    const record = await traceProject(
      { engine: () => engine, cacheRoot },
      {
        projectDir: project,
        suggest: true,
        service: {
          ...recipe.service!,
          port: recipe.port!,
          path: '/',
          expect: 'hello from data.db',
        },
      },
      job().context,
    );
    expect(record.suggestion?.removedBytes).toBeGreaterThan(0);
    expect(record.verified?.passed).toBe(false);
    expect(record.verified?.message).toMatch(/not written to condense\.yml/);
    expect(await readFile(join(project, 'condense.yml'), 'utf8')).toBe(before);
  }, 900_000);

  it('suggests the traced variant, builds it, re-checks it and writes it to condense.yml', async () => {
    if (!channel) return;
    const record = await traceProject(
      { engine: () => engine, cacheRoot },
      { projectDir: project, suggest: true },
      job().context,
    );
    expect(record.verified).toMatchObject({ passed: true });
    const suggestion = record.suggestion!;
    expect(suggestion.groups.length).toBeGreaterThan(0);
    expect(suggestion.groups.every((g) => g.reason.length > 0 && g.globs.length > 0)).toBe(true);
    const written = await loadRecipe(project);
    const variant = written.variants.find((v) => v.id === 'traced');
    expect(variant?.prune.custom).toEqual(suggestion.prune.custom);
    expect(Object.keys(variant?.prune.reasons ?? {}).length).toBeGreaterThan(0);
    // Smaller than the traced image, and no smaller than the limit.
    expect(record.verified?.sizeBytes).toBeLessThan(traced.report.shippedBytes);
    expect(record.verified?.sizeBytes).toBeGreaterThanOrEqual(record.report.limitBytes);
  }, 900_000);
});
