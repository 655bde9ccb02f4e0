import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildRecord, BuildStartRequest, VariantSpec } from '../../../shared/api/build';
import type { JobEvent } from '../../../shared/api/jobs';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
  TEST_PYTHON_IMAGE,
} from '../../../test/support/test-images';
import { createApiHandlers, validated } from '../api-handlers';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { JobManager } from '../jobs/job-manager';
import type { BuildSource } from './build-service';
import { buildProject } from './build-service';
import { createBuildHandlers } from './handlers';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-buildsvc-'));
let engine: Engine;

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  if (hasDocker) {
    for (const repo of ['condense-test/variants', 'condense-test/forms']) {
      await removeRepository(engine.docker, repo);
    }
  }
});

const SP = '/env/lib/python3.11/site-packages';

/** A project folder as the handlers want one (environment.yml), built from a hand-written Dockerfile. */
function projectIn(prefix: string): string {
  const dir = mkdtempSync(join(temp, prefix));
  writeFileSync(join(dir, 'environment.yml'), 'dependencies: [python]\n');
  return dir;
}

/** The generator's shape: a shared `conda` stage, `prune-<id>` stages and `runtime-<id>` targets. */
function variantDockerfile(marker: string): string {
  const prune: Record<string, string> = {
    none: 'true',
    nobig: 'rm /env/big.bin',
    broken: `rm /env/big.bin && rm -r ${SP}/beta`,
  };
  return [
    `FROM ${TEST_PYTHON_IMAGE} AS conda`,
    `RUN mkdir -p ${SP}/alpha ${SP}/beta && touch ${SP}/alpha/__init__.py ${SP}/beta/__init__.py && dd if=/dev/zero of=/env/big.bin bs=1024 count=600 2>/dev/null && echo install-${marker} && sleep 1`,
    ...Object.entries(prune).flatMap(([id, command]) => [
      `FROM conda AS prune-${id}`,
      `RUN ${command}`,
      `FROM ${TEST_BASE_IMAGE} AS runtime-${id}`,
      `COPY --from=prune-${id} /env /env`,
    ]),
    '',
  ].join('\n');
}

const VARIANTS: VariantSpec[] = [
  { id: 'none', target: 'runtime-none', rules: [] },
  { id: 'nobig', target: 'runtime-nobig', rules: ['big-files'] },
  { id: 'broken', target: 'runtime-broken', rules: ['big-files', 'beta-folder'] },
];

function setup() {
  const jobs = new JobManager();
  const handlers = createBuildHandlers({ jobs, engine: () => engine });
  const events: JobEvent[] = [];
  jobs.onEvent((e) => events.push(e));
  const finished = (jobId: string) =>
    new Promise<JobEvent>((resolve) => {
      const check = () => {
        const end = events.find(
          (e) => e.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.kind),
        );
        if (end) resolve(end);
        else setTimeout(check, 50);
      };
      check();
    });
  /** A build of a hand-written Dockerfile: a service caller's source, not part of the request. */
  const start = (request: BuildStartRequest, source?: BuildSource) =>
    Promise.resolve(
      jobs.start('build', (context) =>
        buildProject({ engine: () => engine }, request, context, source),
      ),
    ).then(({ jobId, result }) => {
      result.catch(() => undefined);
      return { jobId };
    });
  return { jobs, handlers, events, finished, start };
}

describe.runIf(hasDocker)('builds as jobs (real engine)', () => {
  const projectDir = projectIn('variants-');
  let record: BuildRecord;

  it('builds variants of one Dockerfile, installing the shared stage once, then smoke-tests each', async () => {
    const { start, events, finished } = setup();
    const marker = `v${Date.now()}`;
    const request: BuildStartRequest = {
      projectDir,
      network: 'host',
      repository: 'condense-test/variants',
      // After the first variant, two at a time: results still come back in variant order.
      concurrency: 2,
      smoke: {
        modules: ['alpha', 'beta'],
        command: ['/bin/sh', '-c', 'test -d /env && echo env-ok'],
      },
    };
    const { jobId } = await start(request, {
      dockerfile: variantDockerfile(marker),
      variants: VARIANTS,
    });
    const end = await finished(jobId);
    expect(end.kind).toBe('done');
    record = end.data as BuildRecord;
    const mine = events.filter((e) => e.jobId === jobId);

    // The install step ran (and logged) in the first variant only; the others took it from the cache.
    const installLogs = mine.filter(
      (e) => e.kind === 'log' && (e.data as { text: string }).text === `install-${marker}`,
    );
    expect(installLogs.map((e) => (e.data as { variant: string }).variant)).toEqual(['none']);
    const [none, nobig, broken] = record.variants;
    expect(nobig!.cachedSteps).toBeGreaterThanOrEqual(1);
    expect(broken!.cachedSteps).toBeGreaterThanOrEqual(1);

    // Per-variant size and layers: dropping the 600 kB file shows in the size and in the env layer.
    expect(record.variants.map((v) => v.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(none!.sizeBytes! - nobig!.sizeBytes!).toBeGreaterThan(550_000);
    expect(none!.layers.at(-1)!.createdBy).toMatch(/^COPY/);
    expect(none!.tags).toEqual(
      expect.arrayContaining([
        'condense-test/variants:none',
        `condense-test/variants:none-${record.id}`,
      ]),
    );

    // Smoke tests: the variant that removed `beta` fails its import check, with Python's message.
    expect(record.variants.map((v) => v.smoke?.passed)).toEqual([true, true, false]);
    const failedCheck = broken!.smoke!.checks.find((c) => !c.passed)!;
    expect(failedCheck).toMatchObject({ kind: 'imports', exitCode: 1 });
    expect(failedCheck.output).toContain("No module named 'beta'");
    expect(none!.smoke!.checks[1]).toMatchObject({
      kind: 'command',
      passed: true,
      output: 'env-ok\n',
    });

    const kinds = new Set(mine.map((e) => e.kind));
    for (const kind of ['step', 'log', 'variant', 'smoke', 'progress', 'done'])
      expect(kinds).toContain(kind);
    // No smoke-test containers are left.
    const left = await engine.docker.listContainers({
      all: true,
      filters: { label: ['org.condense.smoke=1'] },
    });
    expect(left).toEqual([]);
  });

  it('keeps the build in the project history, across a restart, and compares its variants', async () => {
    // A fresh JobManager and handlers: what the app has after a restart.
    const { handlers } = setup();
    const list = await handlers['build:list']({ projectDir });
    expect(list[0]).toMatchObject({ id: record.id, state: 'succeeded' });
    expect(list[0]!.variants.map((v) => v.smokePassed)).toEqual([true, true, false]);
    expect(await handlers['build:get']({ projectDir, buildId: record.id })).toEqual(record);
    const log = await handlers['build:log']({ projectDir, buildId: record.id });
    expect(log.some((l) => l.text.startsWith('install-'))).toBe(true);
    expect(await handlers['build:log']({ projectDir, buildId: record.id, tail: 1 })).toEqual(
      log.slice(-1),
    );

    const comparison = await handlers['build:compare']({ projectDir, buildId: record.id });
    expect(comparison.rows.map((r) => [r.variantId, r.smoke])).toEqual([
      ['none', 'passed'],
      ['nobig', 'passed'],
      ['broken', 'failed'],
    ]);
    expect(comparison.rows[1]!.sizeDeltaBytes).toBeLessThan(-550_000);
    expect(comparison.breakingRules).toEqual([
      expect.objectContaining({
        rule: 'beta-folder',
        verdict: 'breaks',
        failingVariant: 'broken',
        passingVariant: 'nobig',
      }),
    ]);
  });

  it('builds only the variants asked for', async () => {
    const { start, finished } = setup();
    const { jobId } = await start(
      { projectDir, network: 'host', variants: ['nobig'], repository: 'condense-test/variants' },
      { dockerfile: variantDockerfile('only'), variants: VARIANTS },
    );
    const end = await finished(jobId);
    expect((end.data as BuildRecord).variants.map((v) => v.id)).toEqual(['nobig']);
  });

  it('cancels through jobs:cancel and keeps a cancelled record', async () => {
    const { handlers, jobs, events, finished, start } = setup();
    const dir = projectIn('cancel-');
    const marker = `slow${Date.now()}`;
    const { jobId } = await start(
      {
        projectDir: dir,
        network: 'host',
      },
      {
        // Longer than the test may run: the job ending at all shows the cancel stopped the build.
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo ${marker}; sleep 3600; echo done\n`,
      },
    );
    await expect
      .poll(() => events.some((e) => e.jobId === jobId && e.kind === 'log'), { timeout: 30_000 })
      .toBe(true);
    jobs.cancel(jobId);
    const end = await finished(jobId);
    expect(end.kind).toBe('cancelled');
    const [saved] = await handlers['build:list']({ projectDir: dir });
    expect(saved).toMatchObject({ state: 'cancelled' });
  });

  it('fails the job with the failing step named, and still records the build', async () => {
    const { handlers, finished, start } = setup();
    const dir = projectIn('failing-');
    const { jobId } = await start(
      {
        projectDir: dir,
        network: 'host',
      },
      {
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo compiling; echo 'error: x' >&2; exit 7\n`,
      },
    );
    const end = await finished(jobId);
    expect(end.kind).toBe('failed');
    expect(end.data).toMatchObject({ code: 'BUILD_FAILED' });
    expect((end.data as { message: string }).message).toMatch(
      /RUN echo compiling.*\n[\s\S]*error: x/,
    );
    const [saved] = await handlers['build:list']({ projectDir: dir });
    expect(saved).toMatchObject({ state: 'failed' });
  });
});

describe.runIf(hasDocker)('engine info, builder forms and smoke edge cases (real engine)', () => {
  it('answers build:engine with the engine version and BuildKit support', async () => {
    const { handlers } = setup();
    const info = await handlers['build:engine']({});
    expect(info).toMatchObject({ host: dockerHost(), buildkit: true });
  });

  it('uses the classic Dockerfile form with the classic builder, and refuses RUN --mount there', async () => {
    const { handlers, finished, start } = setup();
    const dir = projectIn('forms-');
    const marker = `form${Date.now()}`;
    const { jobId } = await start(
      {
        projectDir: dir,
        network: 'host',
        classic: true,
        repository: 'condense-test/forms',
      },
      {
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN --mount=type=cache,target=/c echo buildkit-${marker}\n`,
        classicDockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo classic-${marker}\n`,
      },
    );
    const end = await finished(jobId);
    expect(end.kind).toBe('done');
    expect((end.data as BuildRecord).builder).toBe('classic');
    const log = await handlers['build:log']({
      projectDir: dir,
      buildId: (end.data as BuildRecord).id,
    });
    expect(log.map((l) => l.text)).toContain(`classic-${marker}`);

    const refused = await start(
      {
        projectDir: dir,
        network: 'host',
        classic: true,
      },
      {
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN --mount=type=cache,target=/c true\n`,
      },
    );
    const failed = await finished(refused.jobId);
    expect(failed.data).toMatchObject({ code: 'INVALID_INPUT' });
    expect((failed.data as { message: string }).message).toMatch(/no BuildKit.*--mount|--mount/);
  });

  it('fails the import check when the image has no Python, with the engine message', async () => {
    const { finished, start } = setup();
    const dir = projectIn('nopython-');
    const { jobId } = await start(
      {
        projectDir: dir,
        network: 'host',
        repository: 'condense-test/forms',
        smoke: { modules: ['numpy'] },
      },
      {
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN true\n`,
      },
    );
    const end = await finished(jobId);
    const smoke = (end.data as BuildRecord).variants[0]!.smoke!;
    expect(smoke.passed).toBe(false);
    expect(smoke.checks[0]).toMatchObject({ kind: 'imports', passed: false });
    expect(smoke.checks[0]!.output).toMatch(/env\/bin\/python/);
  });

  it('without modules or a lock, says why no smoke test ran instead of passing it', async () => {
    const { finished, start } = setup();
    const dir = projectIn('nolock-');
    const { jobId } = await start(
      {
        projectDir: dir,
        network: 'host',
        repository: 'condense-test/forms',
      },
      {
        dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN true\n`,
      },
    );
    const variant = ((await finished(jobId)).data as BuildRecord).variants[0]!;
    expect(variant.state).toBe('succeeded');
    expect(variant.smoke).toBeUndefined();
    expect(variant.smokeSkipped).toMatch(/no condense.yml.*modules to import/);
  });
});

describe('build handler input checks', () => {
  it('rejects a relative, missing or non-project folder before starting a job', async () => {
    const { jobs } = setup();
    const handlers = validated(createBuildHandlers({ jobs, engine: () => engine }));
    await expect(handlers['build:start']({ projectDir: 'relative/dir' })).rejects.toThrow(
      /absolute/,
    );
    await expect(handlers['build:start']({ projectDir: join(temp, 'missing') })).rejects.toThrow(
      /does not exist/,
    );
    await expect(handlers['build:start']({ projectDir: temp })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('has no environment.yml') as unknown,
    });
    expect(jobs.list()).toEqual([]);
  });

  it('rejects bad variant ids, duplicate ids and unknown --variant names as job failures', async () => {
    const jobs = new JobManager();
    const h = createBuildHandlers({
      jobs,
      engine: () => {
        throw new Error('must not connect');
      },
    });
    const dir = projectIn('bad-');
    for (const [variants, only, message] of [
      [[{ id: 'has space' }], undefined, /not valid/],
      [[{ id: 'a' }, { id: 'a' }], undefined, /twice/],
      [[{ id: 'a' }], ['b'], /Unknown variant b/],
    ] as const) {
      const { jobId, result } = jobs.start('build', (context) =>
        buildProject(
          {
            engine: () => {
              throw new Error('must not connect');
            },
          },
          { projectDir: dir, network: 'host', ...(only ? { variants: [...only] } : {}) },
          context,
          { dockerfile: 'FROM scratch\n', variants: [...variants] },
        ),
      );
      result.catch(() => undefined);
      await expect.poll(() => jobs.list().find((j) => j.jobId === jobId)?.state).toBe('failed');
      const failed = jobs.replay(jobId).find((e) => e.kind === 'failed')!;
      expect(failed.data).toMatchObject({ code: 'INVALID_INPUT' });
      expect((failed.data as { message: string }).message).toMatch(message);
    }
    await expect(
      validated(h)['build:get']({ projectDir: dir, buildId: '../../etc' }),
    ).rejects.toThrow(/not a build id/);
  });

  it('takes ids only: Dockerfile text in a request is refused, the variants come from condense.yml', async () => {
    const jobs = new JobManager();
    const api = createApiHandlers({ jobs, mode: 'browser', configDir: join(temp, 'cfg') });
    const dir = join(temp, 'ids');
    await api['project:create']({ dir });
    const call = api['build:start'] as (request: unknown) => Promise<{ jobId: string }>;
    await expect(call({ projectDir: dir, dockerfile: 'FROM evil\n' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'dockerfile' },
    });
    await expect(call({ projectDir: dir, variants: [{ id: 'x' }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'variants[0]' },
    });
    // A variant condense.yml does not have: refused before any engine is reached.
    const { jobId } = await call({ projectDir: dir, variants: ['slim'] });
    await expect.poll(() => jobs.list().find((j) => j.jobId === jobId)?.state).toBe('failed');
    const failed = jobs.replay(jobId).find((e) => e.kind === 'failed')!;
    expect(failed.data).toMatchObject({ code: 'INVALID_INPUT' });
    expect((failed.data as { message: string }).message).toMatch(
      /Unknown variant slim: the recipe has default/,
    );
  });
});
