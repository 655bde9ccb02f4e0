import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildLogLine, BuildStep } from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import { encodeStatusResponse } from '../../../shared/build/buildkit-status';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
} from '../../../test/support/test-images';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { createBuildContext } from './build-context';
import { runBuild } from './run-build';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-runbuild-'));
let engine: Engine;

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  if (hasDocker) await removeRepository(engine.docker, 'condense-test/run');
});

async function build(dockerfile: string, options: Partial<Parameters<typeof runBuild>[0]> = {}) {
  const steps: BuildStep[] = [];
  const logs: BuildLogLine[] = [];
  const context = await createBuildContext({ projectDir: temp, dockerfile });
  const result = await runBuild({
    network: 'host',
    engine,
    context: context.stream,
    dockerfile,
    builder: 'buildkit',
    onStep: (s) => steps.push(s),
    onLog: (l) => logs.push(l),
    ...options,
  });
  return { result, steps, logs };
}

async function failure(promise: Promise<unknown>): Promise<CondenseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CondenseError))
    throw new Error(`expected a CondenseError, got ${String(error)}`);
  return error;
}

describe.runIf(hasDocker)('runBuild on the real engine', () => {
  it('sets the labels it is given on the image, with both builders (the SBOM reference)', async () => {
    for (const builder of ['buildkit', 'classic'] as const) {
      const value = `https://spdx.condense.invalid/x/${builder}/${Date.now()}`;
      const { result } = await build(`FROM ${TEST_BASE_IMAGE}\nRUN true\n`, {
        builder,
        labels: { 'dev.condense.sbom': value },
      });
      const inspected = await engine.docker.getImage(result.imageId).inspect();
      expect(inspected.Config.Labels).toMatchObject({ 'dev.condense.sbom': value });
    }
  });

  it('streams typed steps and log lines with BuildKit, and hits the cache on a rebuild', async () => {
    const marker = `m${Date.now()}`;
    writeFileSync(join(temp, 'app.txt'), marker);
    const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo ${marker}-out; echo ${marker}-err >&2\nCOPY app.txt /app.txt\n`;
    const first = await build(dockerfile, { tags: [`condense-test/run:${marker}`] });
    expect(first.result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const run = first.steps.filter((s) => s.name.includes(`RUN echo ${marker}`));
    expect(run.at(-1)).toMatchObject({ cached: false });
    expect(Date.parse(run.at(-1)!.completed!)).toBeGreaterThanOrEqual(
      Date.parse(run.at(-1)!.started!),
    );
    // stdout and stderr are separate streams: BuildKit does not keep their relative order.
    const lines = first.logs.filter((l) => l.step === run[0]!.id);
    expect(lines.map((l) => [l.stream, l.text]).sort()).toEqual([
      ['stderr', `${marker}-err`],
      ['stdout', `${marker}-out`],
    ]);
    expect(first.result.decoded).toMatchObject({ cachedSteps: 0, totalSteps: 2 });
    const inspect = await engine.docker.getImage(`condense-test/run:${marker}`).inspect();
    expect(inspect.Id).toBe(first.result.imageId);

    const second = await build(dockerfile);
    expect(second.result.imageId).toBe(first.result.imageId);
    expect(second.result.decoded).toMatchObject({ cachedSteps: 2, totalSteps: 2 });
    expect(second.logs.filter((l) => l.text.includes(marker))).toEqual([]);
  });

  it('builds with the classic builder too', async () => {
    const marker = `c${Date.now()}`;
    const { result, steps, logs } = await build(`FROM ${TEST_BASE_IMAGE}\nRUN echo ${marker}\n`, {
      builder: 'classic',
    });
    expect(result.imageId).toMatch(/^sha256:/);
    expect(steps.filter((s) => s.completed).map((s) => s.name)).toEqual([
      `[1/2] FROM ${TEST_BASE_IMAGE}`,
      `[2/2] RUN echo ${marker}`,
    ]);
    expect(logs.map((l) => l.text)).toContain(marker);
  });

  it.each(['buildkit', 'classic'] as const)(
    'names the failing step and its last lines (%s)',
    async (builder) => {
      const error = await failure(
        build(`FROM ${TEST_BASE_IMAGE}\nRUN echo first; echo second-${builder}; exit 3\n`, {
          builder,
        }),
      );
      expect(error.code).toBe('BUILD_FAILED');
      expect(error.message).toContain(`RUN echo first; echo second-${builder}; exit 3`);
      expect(error.message).toMatch(/code: 3/);
      expect(error.details?.lastLines).toEqual(['first', `second-${builder}`]);
    },
  );

  it.each(['buildkit', 'classic'] as const)(
    'names a base image that is neither local nor pullable (%s)',
    async (builder) => {
      const error = await failure(
        build(`FROM ${TEST_BASE_IMAGE} AS ok\nFROM condense-test/not-here:${builder}\nRUN true\n`, {
          builder,
        }),
      );
      expect(error.code).toBe('IMAGE_MISSING');
      expect(error.details?.images).toEqual([`condense-test/not-here:${builder}`]);
      expect(error.message).toContain(`condense-test/not-here:${builder}`);
    },
  );

  it.each(['buildkit', 'classic'] as const)(
    'cancels promptly and leaves no build container or process behind (%s)',
    async (builder) => {
      const marker = `cancel-${builder}-${Date.now()}`;
      const controller = new AbortController();
      // The step sleeps longer than the test may run, so neither the build settling nor the
      // containers and processes going away can come from the step finishing by itself.
      const promise = build(
        `FROM ${TEST_BASE_IMAGE}\nRUN echo ${marker}; sleep 3600; echo ${marker}-end\n`,
        {
          builder,
          signal: controller.signal,
          onLog: (line) => {
            if (line.text === marker) controller.abort();
          },
        },
      );
      const error = await failure(promise);
      expect(error.code).toBe('CANCELLED');
      // The engine tears down asynchronously (expect.poll's limit from vitest.config.ts).
      await expect
        .poll(
          async () => {
            const containers = await engine.docker.listContainers({ all: true });
            const inContainers = containers.filter((c) => c.Command.includes(marker)).length;
            const processes = execFileSync('ps', ['-eo', 'args']).toString().split('\n');
            return inContainers + processes.filter((p) => p.includes(marker)).length;
          },
          { interval: 250 },
        )
        .toBe(0);
    },
  );
});

describe('runBuild error paths (fake engine)', () => {
  function fakeEngine(lines: object[], images: string[] = []): Engine {
    const docker = {
      buildImage: () => {
        const stream = new PassThrough();
        setImmediate(() => {
          for (const line of lines) stream.write(`${JSON.stringify(line)}\n`);
          stream.end();
        });
        return Promise.resolve(stream);
      },
      getImage: (name: string) => ({
        inspect: () =>
          images.includes(name) ? Promise.resolve({}) : Promise.reject(new Error('No such image')),
      }),
    } as unknown as Docker;
    return { docker, target: { host: 'unix:///fake.sock', context: 'default', options: {} } };
  }
  const aux = (status: Parameters<typeof encodeStatusResponse>[0]) => ({
    id: 'moby.buildkit.trace',
    aux: Buffer.from(encodeStatusResponse(status)).toString('base64'),
  });

  it('reports a full disk from a failing step as DISK_FULL', async () => {
    const engine = fakeEngine([
      aux({ vertexes: [{ digest: 'v', name: '[conda 3/5] RUN mamba install', started: 1 }] }),
      aux({
        logs: [
          {
            vertex: 'v',
            time: 2,
            text: 'Extracting numpy\nOSError: [Errno 28] No space left on device\n',
          },
        ],
      }),
      aux({
        vertexes: [
          {
            digest: 'v',
            name: '[conda 3/5] RUN mamba install',
            started: 1,
            completed: 3,
            error: 'exit code: 1',
          },
        ],
      }),
      {
        errorDetail: {
          message: 'executor failed running [/bin/sh -c mamba install]: exit code: 1',
        },
        error: 'x',
      },
    ]);
    const error = await failure(
      runBuild({
        network: 'host',
        engine,
        context: new PassThrough(),
        dockerfile: 'FROM scratch\n',
        builder: 'buildkit',
      }),
    );
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/out of disk space.*prune/s);
  });

  it('fails clearly when the stream ends without an image id', async () => {
    const engine = fakeEngine([{ stream: 'Step 1/1 : FROM scratch\n' }]);
    const error = await failure(
      runBuild({
        network: 'host',
        engine,
        context: new PassThrough(),
        dockerfile: 'FROM scratch\n',
        builder: 'classic',
      }),
    );
    expect(isCondenseError(error, 'BUILD_FAILED')).toBe(true);
    expect(error.message).toMatch(/no image id/);
  });
});
