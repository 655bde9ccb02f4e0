// The trace service fixture (trace-service-project.ts) built by the build service on the fixture
// images: its service check on /report passes, both paths answer, and, traced with the realistic
// channel's strace, each path uses what the fixture's design says it does (so a trace of `/` alone
// really misses what /report needs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildProject } from '../../electron/services/build/build-service';
import { latestBuildId, loadBuild } from '../../electron/services/build/history-store';
import { connectEngine, type Engine } from '../../electron/services/docker/engine';
import { freePort, runService } from '../../fixtures/examples/example-service';
import { CondenseError } from '../../shared/api/errors';
import { type ServedChannel, serveRealisticChannel } from './channels';
import { connectDocker, fixtureImagesRequirement, removeImages, runInImage } from './docker';
import { available, dockerHost } from './requirements';
import { writeServiceRecipe } from './service-project';
import { removeRepository } from './test-images';
import { buildTraceImage, lockTracer, straceCommand, TRACE_OUT, tracedPaths } from './trace-image';
import {
  createTraceServiceProject,
  TRACE_SERVICE_DB,
  TRACE_SERVICE_GREETING,
  TRACE_SERVICE_REPORT,
  traceServiceRecipe,
} from './trace-service-project';

const REPO = 'condense-test/trace-service';
const traceTag = `condense-test/trace-service-traced:${process.pid}`;
const docker = connectDocker();
let channel: ServedChannel | undefined;
let engine: Engine;
let work: string;
let project: string;
let cacheRoot: string;
let port: number;

beforeAll(async () => {
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  if (!channel) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  work = await mkdtemp(join(tmpdir(), 'condense-trace-service-'));
  project = join(work, 'project');
  cacheRoot = join(work, 'cache');
  await createTraceServiceProject(project, channel.url, cacheRoot);
  port = await freePort();
  await writeServiceRecipe(project, traceServiceRecipe(port));
}, 300_000);

afterAll(async () => {
  if (engine) await removeRepository(engine.docker, REPO);
  await removeImages(docker, [traceTag]);
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the trace service fixture (real engine)', () => {
  it('builds with the build service, passes its /report check, and answers both paths', async () => {
    if (!channel) return;
    const record = await buildProject(
      { engine: () => engine, cacheRoot },
      { projectDir: project, repository: REPO, keepBuilds: 0 },
      { signal: new AbortController().signal, emit: () => undefined },
    );
    const variant = record.variants[0]!;
    expect({ state: variant.state, service: variant.service }).toMatchObject({
      state: 'succeeded',
      service: { passed: true, status: 200 },
    });
    expect(variant.service?.request).toMatch(/^GET \/report /);
    expect(variant.smoke?.modules).toContain('tracesvc');

    const image = `${REPO}:default`;
    const root = await runService(docker, image, { port, path: '/', method: 'GET' });
    expect({ status: root.status, body: root.body }).toEqual({
      status: 200,
      body: TRACE_SERVICE_GREETING,
    });
    const report = await runService(docker, image, { port, path: '/report', method: 'GET' });
    expect(report.status).toBe(200);
    expect(report.body).toMatch(/^Content-Type: text\/plain; charset="us-ascii"$/m);
    expect(report.body.endsWith(`${TRACE_SERVICE_REPORT}\n`)).toBe(true);
  }, 600_000);

  it('under strace, `/` reads data.db from C and loads minidom; only /report loads libuuid, ctypes and email.mime', async () => {
    if (!channel) return;
    const tracerLock = await lockTracer(join(work, 'tracer'), channel.url, cacheRoot);
    await buildTraceImage(docker, `${REPO}:default`, tracerLock, traceTag);
    // The handlers' functions, called without HTTP: the same code paths, no port to wait for.
    const traced = async (code: string) => {
      const result = await runInImage(
        docker,
        traceTag,
        straceCommand(['/env/bin/python', '-c', code]),
        { user: '65532', network: 'none', entrypoint: [], collect: TRACE_OUT },
      );
      expect({ exit: result.exitCode, stderr: result.stderr }).toEqual({ exit: 0, stderr: '' });
      return [...tracedPaths(result.collected!)];
    };
    const LIBUUID = /\/libuuid\.so\.1$/;
    const MINIDOM = /\/xml\/dom\/minidom\.py$/;
    const CTYPES = /\/_ctypes\.cpython-311-x86_64-linux-gnu\.so$/;
    const MIME = /\/email\/mime\/text\.py$/;
    const uses = (paths: string[], what: string | RegExp) =>
      typeof what === 'string' ? paths.includes(what) : paths.some((p) => what.test(p));

    // What the build's import check runs: the package alone loads none of it.
    const imported = await traced('import tracesvc');
    expect(
      [TRACE_SERVICE_DB, MINIDOM, LIBUUID, CTYPES, MIME].map((w) => uses(imported, w)),
    ).toEqual([false, false, false, false, false]);

    const root = await traced('from tracesvc import server; print(server.greeting())');
    expect([TRACE_SERVICE_DB, MINIDOM].map((w) => uses(root, w))).toEqual([true, true]);
    expect([LIBUUID, CTYPES, MIME].map((w) => uses(root, w))).toEqual([false, false, false]);

    const report = await traced('from tracesvc import server; print(server.report())');
    expect([TRACE_SERVICE_DB, MINIDOM, LIBUUID, CTYPES, MIME].map((w) => uses(report, w))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    // dlopen found libuuid in the environment, through the RPATH of python's _ctypes.
    expect(report.filter((p) => LIBUUID.test(p)).every((p) => p.startsWith('/env/'))).toBe(true);
  }, 600_000);
  it('a variant pruned to a trace of `/` passes a check of `/` but fails the /report check', async () => {
    if (!channel) return;
    // Part of what a narrow trace would suggest removing: the dlopen'ed library and the lazily
    // imported email.mime (_ctypes and libffi are left: two globs are enough to break /report).
    const narrow = { preset: 'safe', custom: ['lib/libuuid.so*', 'lib/python3.11/email/mime'] };
    const build = async (path: string) => {
      await writeServiceRecipe(
        project,
        traceServiceRecipe(port, {
          prune: narrow,
          service: {
            path,
            timeoutSeconds: 30,
            ...(path === '/' ? {} : { expect: TRACE_SERVICE_REPORT }),
          },
        }),
      );
      // A build whose every variant fails throws; its record is in the history all the same.
      const error = await buildProject(
        { engine: () => engine, cacheRoot },
        { projectDir: project, repository: REPO, keepBuilds: 0 },
        { signal: new AbortController().signal, emit: () => undefined },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      const record = await loadBuild(project, await latestBuildId(project));
      return { error, variant: record.variants[0]! };
    };
    const report = await build('/report');
    expect(report.error).toBeInstanceOf(CondenseError);
    expect({ state: report.variant.state, service: report.variant.service }).toMatchObject({
      state: 'failed',
      service: { passed: false, status: 500 },
    });
    // The handler answers the Python error first: the check's message names the missing library.
    expect(report.variant.service!.message).toMatch(
      /Answered 500.*OSError: libuuid\.so\.1: cannot open shared object file/,
    );
    const root = await build('/');
    expect(root.error).toBeUndefined();
    expect({ state: root.variant.state, service: root.variant.service }).toMatchObject({
      state: 'succeeded',
      service: { passed: true, status: 200 },
    });
    // Same image both times: only the check differs.
    expect(root.variant.imageId).toBe(report.variant.imageId);
  }, 600_000);
});
