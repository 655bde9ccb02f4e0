// The checks that guard a variant's tags, against the real engine and an image built from the
// realistic channel: a passing service check measuring start-up, a broken CMD, a service that never
// opens its port, one that answers 500, one that crashes, and a cancel during the check. Each ends in
// its state before its deadline and leaves no container behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildEvents, BuildRecord } from '../../../shared/api/build';
import { isCondenseError } from '../../../shared/api/errors';
import { validateRecipe } from '../../../shared/recipe/validate';
import type { ServedChannel } from '../../../test/support/channels';
import { serveRealisticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  listImageFiles,
  runInImage,
} from '../../../test/support/docker';
import { available, dockerHost } from '../../../test/support/requirements';
import {
  createServiceProject,
  freePort,
  writeServiceRecipe,
} from '../../../test/support/service-project';
import { removeRepository } from '../../../test/support/test-images';
import { analyzeSavings } from '../analysis/savings-analysis';
import { buildProject } from '../build/build-service';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';

const REPO = 'condense-test/service-check';
let channel: ServedChannel | undefined;
let engine: Engine;
let work: string;
let project: string;
let cacheRoot: string;

beforeAll(async () => {
  const docker = connectDocker();
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  if (!channel) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  work = await mkdtemp(join(tmpdir(), 'condense-service-'));
  project = join(work, 'project');
  cacheRoot = join(work, 'cache');
  await createServiceProject(project, channel.url, cacheRoot);
}, 300_000);

afterAll(async () => {
  if (engine) await removeRepository(engine.docker, REPO);
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function recipe(command: string[], port: number, service: Record<string, unknown> = {}) {
  return {
    builderImage: FIXTURE_BUILDER_IMAGE,
    runtimeImage: FIXTURE_RUNTIME_IMAGE,
    // The test engine has no bridge.
    network: 'host',
    package: { path: 'svc', noBuildIsolation: true },
    files: [{ from: 'model.txt', to: '/app/model.txt' }],
    entrypoint: { preset: 'command', command },
    port,
    // The deadline of a service that answers (ok, or 500 at once): room for a slow start on a loaded
    // machine. Tests of the deadline itself pass their own.
    service: { path: '/predict', expect: 'ok model-v1', timeoutSeconds: 120, ...service },
    prune: { preset: 'safe' },
  };
}

interface Run {
  record?: BuildRecord;
  error?: unknown;
  events: { kind: string; data: unknown }[];
}

async function build(
  signal = new AbortController().signal,
  onEvent?: (kind: string, data: unknown) => void,
): Promise<Run> {
  const events: Run['events'] = [];
  const emit = <K extends keyof BuildEvents>(kind: K, data: BuildEvents[K]) => {
    events.push({ kind, data });
    onEvent?.(kind, data);
  };
  try {
    const record = await buildProject(
      { engine: () => engine, cacheRoot },
      { projectDir: project, repository: REPO, keepBuilds: 0 },
      { signal, emit },
    );
    return { record, events };
  } catch (error) {
    return { error, events };
  }
}

async function checkContainers(): Promise<string[]> {
  const all = await engine.docker.listContainers({ all: true });
  return all.map((c) => `${c.Image} ${c.State} ${JSON.stringify(c.Labels)}`);
}

async function tagged(tag: string): Promise<string | undefined> {
  try {
    return (await engine.docker.getImage(tag).inspect()).Id;
  } catch {
    return undefined;
  }
}

describe('the service check on the realistic channel (real engine)', () => {
  it('starts the service with its own CMD, gets the answer, measures start-up and memory, then tags', async () => {
    if (!channel) return;
    const port = await freePort();
    await writeServiceRecipe(
      project,
      recipe(['/env/bin/svc-serve', '--mode', 'ok', '--port', String(port)], port),
    );
    const run = await build();
    expect(run.error).toBeUndefined();
    const variant = run.record!.variants[0]!;
    expect(variant.state).toBe('succeeded');
    // The console script is a #! script for the environment's python: both are in the image.
    expect(variant.command).toMatchObject({ passed: true, program: '/env/bin/svc-serve' });
    expect(variant.command!.interpreter).toMatch(/^\/env\/bin\/python/);
    // The own package's modules are imported by the smoke test.
    expect(variant.smoke?.modules).toContain('svc');
    expect(variant.smoke?.passed).toBe(true);
    expect(variant.service).toMatchObject({ passed: true, status: 200 });
    expect(variant.service!.startupMs).toBeGreaterThan(0);
    expect(variant.service!.peakMemoryBytes).toBeGreaterThan(1024 * 1024);
    expect(variant.tags).toContain(`${REPO}:default`);
    console.log(
      `service check: start-up ${variant.service!.startupMs} ms, peak memory ${variant.service!.peakMemoryBytes} B, image ${variant.sizeBytes} B`,
    );
    expect(await tagged(`${REPO}:default`)).toBe(variant.imageId);
    // files: entries belong to the runtime user.
    const owner = await runInImage(engine.docker, `${REPO}:default`, [
      '/env/bin/python',
      '-c',
      'import os; s = os.stat("/app/model.txt"); print(s.st_uid, s.st_gid)',
    ]);
    expect(owner.stdout.trim()).toBe('65532 65532');
    expect(await checkContainers()).toEqual([]);
  }, 600_000);

  it('counts the files: entries in the size estimate', async () => {
    if (!channel) return;
    const report = await analyzeSavings({
      projectDir: project,
      recipe: validateRecipe(recipe(['/env/bin/svc-serve'], 8000)),
      cacheRoot,
    });
    expect(report.filesBytes).toBe('model-v1'.length);
  }, 120_000);

  it('condense build --json: per variant service {passed, startupMs, peakMemoryBytes, status, message}; non-zero exit on a failed check', async () => {
    if (!channel) return;
    const saved = process.env.CONDENSE_CACHE_DIR;
    process.env.CONDENSE_CACHE_DIR = cacheRoot;
    try {
      const port = await freePort();
      const cli = (mode: string) =>
        writeServiceRecipe(
          project,
          recipe(['/env/bin/svc-serve', '--mode', mode, '--port', String(port)], port),
        ).then(() =>
          runCliCaptured([
            'build',
            '-C',
            project,
            '--json',
            '--repository',
            REPO,
            '--keep-builds',
            '0',
          ]),
        );
      const ok = await cli('ok');
      expect({ code: ok.code, stderr: ok.code === 0 ? '' : ok.stderr.slice(-2000) }).toEqual({
        code: 0,
        stderr: '',
      });
      const service = (JSON.parse(ok.stdout) as BuildRecord).variants[0]!.service!;
      expect(Object.keys(service)).toEqual(
        expect.arrayContaining(['passed', 'startupMs', 'peakMemoryBytes', 'status', 'message']),
      );
      expect(service).toMatchObject({ passed: true, status: 200 });
      expect(ok.stderr).toMatch(/== service default: passed: Answered 200 with "ok model-v1"/);
      const failed = await cli('fail');
      expect(failed.code).not.toBe(0);
      expect((JSON.parse(failed.stdout) as BuildRecord).variants[0]).toMatchObject({
        state: 'failed',
        tags: [],
        service: { passed: false, status: 500 },
      });
      expect(failed.stderr).toMatch(/^condense build: default was not tagged: Answered 500/m);
    } finally {
      if (saved === undefined) delete process.env.CONDENSE_CACHE_DIR;
      else process.env.CONDENSE_CACHE_DIR = saved;
    }
    expect(await checkContainers()).toEqual([]);
  }, 600_000);

  it('fails a CMD whose program is not in the image before tagging; the tag stays where it was', async () => {
    if (!channel) return;
    const port = await freePort();
    // Whatever the tag points at now must stay.
    const before = await tagged(`${REPO}:default`);
    // Set by the passing builds above (tests of a file run in order).
    expect(before).toBeDefined();
    await writeServiceRecipe(
      project,
      recipe(['/env/bin/gunicorn', '-b', `0.0.0.0:${port}`, 'svc.server:app'], port),
    );
    const run = await build();
    expect(isCondenseError(run.error) && run.error.code).toBe('CHECK_FAILED');
    expect(String((run.error as Error).message)).toMatch(
      /\/env\/bin\/gunicorn is not in the image/,
    );
    const events = run.events.filter((e) => e.kind === 'variant');
    const variant = events[0]!.data as BuildRecord['variants'][number];
    expect(variant).toMatchObject({ state: 'failed', tags: [] });
    expect(variant.command).toMatchObject({ passed: false });
    // No service was started for an image whose command cannot start.
    expect(variant.service).toBeUndefined();
    expect(await tagged(`${REPO}:default`)).toBe(before);
    expect(await checkContainers()).toEqual([]);
  }, 300_000);

  it('notices at once a service that exits before answering, with its last log lines', async () => {
    if (!channel) return;
    const port = await freePort();
    // Whatever the tag points at now must stay.
    const before = await tagged(`${REPO}:default`);
    // Set by the passing builds above (tests of a file run in order).
    expect(before).toBeDefined();
    await writeServiceRecipe(
      project,
      // A deadline far beyond the test's timeout: only noticing the exit ends it in time.
      recipe(['/env/bin/svc-serve', '--mode', 'crash', '--port', String(port)], port, {
        timeoutSeconds: 3000,
      }),
    );
    const run = await build();
    const variant = run.events.find((e) => e.kind === 'variant')!
      .data as BuildRecord['variants'][number];
    expect(variant.state).toBe('failed');
    expect(variant.service).toMatchObject({ passed: false });
    expect(variant.service!.message).toMatch(/exited with code 3 before answering/);
    expect(variant.service!.logs).toContain('svc: cannot load the model');
    expect(await tagged(`${REPO}:default`)).toBe(before);
    expect(await checkContainers()).toEqual([]);
  }, 240_000);

  it('fails a service that answers 500, naming the status and the body', async () => {
    if (!channel) return;
    const port = await freePort();
    // Whatever the tag points at now must stay.
    const before = await tagged(`${REPO}:default`);
    // Set by the passing builds above (tests of a file run in order).
    expect(before).toBeDefined();
    await writeServiceRecipe(
      project,
      recipe(['/env/bin/svc-serve', '--mode', 'fail', '--port', String(port)], port, {
        timeoutSeconds: 3000,
      }),
    );
    const run = await build();
    const variant = run.events.find((e) => e.kind === 'variant')!
      .data as BuildRecord['variants'][number];
    expect(variant.state).toBe('failed');
    expect(variant.service).toMatchObject({ passed: false, status: 500 });
    expect(variant.service!.message).toMatch(/Answered 500, expected 200: model not loaded/);
    expect(await tagged(`${REPO}:default`)).toBe(before);
    expect(await checkContainers()).toEqual([]);
  }, 240_000);

  it('fails a service that never opens its port at the deadline', async () => {
    if (!channel) return;
    const port = await freePort();
    // Whatever the tag points at now must stay.
    const before = await tagged(`${REPO}:default`);
    // Set by the passing builds above (tests of a file run in order).
    expect(before).toBeDefined();
    await writeServiceRecipe(
      project,
      recipe(['/env/bin/svc-serve', '--mode', 'silent', '--port', String(port)], port, {
        timeoutSeconds: 3,
      }),
    );
    const run = await build();
    const variant = run.events.find((e) => e.kind === 'variant')!
      .data as BuildRecord['variants'][number];
    expect(variant.state).toBe('failed');
    expect(variant.service!.message).toMatch(/No good answer within 3 s: nothing answered on port/);
    expect(variant.service!.logs).toContain('warming up forever');
    expect(await tagged(`${REPO}:default`)).toBe(before);
    expect(await checkContainers()).toEqual([]);
  }, 240_000);

  it('cancels during the service check: the container goes, the build is cancelled', async () => {
    if (!channel) return;
    const port = await freePort();
    // Whatever the tag points at now must stay.
    const before = await tagged(`${REPO}:default`);
    // Set by the passing builds above (tests of a file run in order).
    expect(before).toBeDefined();
    await writeServiceRecipe(
      project,
      recipe(['/env/bin/svc-serve', '--mode', 'silent', '--port', String(port)], port, {
        timeoutSeconds: 3000,
      }),
    );
    const controller = new AbortController();
    let running = false;
    const run = await build(controller.signal, (kind, data) => {
      if (
        kind === 'progress' &&
        /^Service check: GET/.test((data as { message: string }).message)
      ) {
        running = true;
        setTimeout(() => controller.abort(), 300);
      }
    });
    expect(running).toBe(true);
    expect(isCondenseError(run.error) && run.error.code).toBe('CANCELLED');
    expect(await tagged(`${REPO}:default`)).toBe(before);
    expect(await checkContainers()).toEqual([]);
  }, 240_000);

  it('builds keep, drop and compile bytecode variants: each answers, compile ships unchecked-hash pycs', async () => {
    if (!channel) return;
    const port = await freePort();
    await writeServiceRecipe(project, {
      ...recipe(['/env/bin/svc-serve', '--mode', 'ok', '--port', String(port)], port),
      variants: (['keep', 'drop', 'compile'] as const).map((bytecode) => ({
        id: bytecode,
        prune: { preset: 'safe' },
        bytecode,
      })),
    });
    const run = await build();
    expect(run.error).toBeUndefined();
    const byId = new Map(run.record!.variants.map((v) => [v.id, v]));
    for (const v of byId.values()) {
      expect({ id: v.id, state: v.state, service: v.service?.passed }).toEqual({
        id: v.id,
        state: 'succeeded',
        service: true,
      });
      expect(v.bytecode).toBe(v.id);
      console.log(
        `bytecode ${v.id}: ${v.sizeBytes} B, start-up ${v.service!.startupMs} ms, peak memory ${v.service!.peakMemoryBytes} B`,
      );
    }
    const pycs = async (id: string) =>
      (await listImageFiles(engine.docker, `${REPO}:${id}`))
        .map((f) => f.path)
        .filter((p) => p.endsWith('.pyc'));
    const server = /site-packages\/svc\/__pycache__\/server\.cpython-311\.pyc$/;
    expect((await pycs('drop')).length).toBe(0);
    const compiled = await pycs('compile');
    expect(compiled.some((p) => server.test(p))).toBe(true);
    // At least the caches the install left (conda compiles noarch packages' modules at install, as
    // the builder stand-in now does too): every module of the environment is compiled.
    expect(compiled.length).toBeGreaterThanOrEqual((await pycs('keep')).length);
    expect(byId.get('compile')!.sizeBytes!).toBeGreaterThan(byId.get('drop')!.sizeBytes!);
    // PEP 552: flags 0b01 in the header's second word is an unchecked hash-based pyc.
    const header = await runInImage(engine.docker, `${REPO}:compile`, [
      '/env/bin/python',
      '-c',
      'import glob; p = glob.glob("/env/lib/python3.11/site-packages/svc/__pycache__/server.*.pyc")[0]; print(int.from_bytes(open(p, "rb").read(8)[4:8], "little"))',
    ]);
    expect(header.stdout.trim()).toBe('1');
    expect(await checkContainers()).toEqual([]);
  }, 600_000);
});
