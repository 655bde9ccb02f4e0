import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildComparison, BuildRecord } from '../../../shared/api/build';
import { runCliCaptured } from '../../../test/support/cli';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
  TEST_PYTHON_IMAGE,
} from '../../../test/support/test-images';
import { listBuilds } from '../../services/build/history-store';
import { connectEngine } from '../../services/docker/engine';
import { variantOptions } from './build';
import { parseCheck } from './check-flags';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-cli-build-'));
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  if (hasDocker) await removeRepository(connectEngine().docker, 'condense-test/cli');
});

const cli = runCliCaptured;

describe('build option parsing', () => {
  it('reads --check as JSON or words and refuses empty or non-string arrays', () => {
    expect(parseCheck('python -m app.check --fast')).toEqual([
      'python',
      '-m',
      'app.check',
      '--fast',
    ]);
    expect(parseCheck('["sh", "-c", "echo a b"]')).toEqual(['sh', '-c', 'echo a b']);
    expect(() => parseCheck('[1]')).toThrow(/array of strings/);
    expect(() => parseCheck('  ')).toThrow(/needs a command/);
  });

  it('reads --variant as a pick or as NAME=STAGE definitions, not a mix', () => {
    expect(variantOptions(['slim'])).toEqual({ ids: ['slim'] });
    expect(variantOptions(['a=runtime-a'])).toEqual({
      defined: [{ id: 'a', target: 'runtime-a' }],
    });
    expect(variantOptions([])).toEqual({});
    expect(() => variantOptions(['a', 'b=runtime-b'])).toThrow(/not both/);
  });
});

describe.runIf(hasDocker)('condense build and compare (real engine)', () => {
  const project = join(temp, 'proj');
  beforeAll(async () => {
    process.env.DOCKER_HOST = dockerHost();
    await ensureTestImages(connectEngine().docker);
    mkdirSync(join(project, 'src/mypkg'), { recursive: true });
    writeFileSync(join(project, 'src/mypkg/__init__.py'), 'x = 1\n');
    const sp = '/env/lib/python3.11/site-packages';
    writeFileSync(
      join(project, 'Dockerfile'),
      [
        `FROM ${TEST_PYTHON_IMAGE} AS conda`,
        `COPY src/mypkg ${sp}/mypkg`,
        `RUN dd if=/dev/zero of=/env/big.bin bs=1024 count=400 2>/dev/null && echo cli-${Date.now()}`,
        'FROM conda AS prune-full',
        'RUN true',
        'FROM conda AS prune-slim',
        `RUN rm /env/big.bin ${sp}/mypkg/__init__.py && rmdir ${sp}/mypkg`,
        `FROM ${TEST_BASE_IMAGE} AS runtime-full`,
        'COPY --from=prune-full /env /env',
        `FROM ${TEST_BASE_IMAGE} AS runtime-slim`,
        'COPY --from=prune-slim /env /env',
        '',
      ].join('\n'),
    );
  });

  it('streams JSON progress, prints the record with --json, and exits 1 when a smoke test fails', async () => {
    const { code, stdout, stderr } = await cli([
      'build',
      '--network',
      'host',
      '--project',
      project,
      '--variant',
      'full=runtime-full',
      '--variant',
      'slim=runtime-slim',
      '--module',
      'mypkg',
      '--progress',
      'json',
      '--json',
      '--repository',
      'condense-test/cli',
    ]);
    expect(code).toBe(1);
    const record = JSON.parse(stdout) as BuildRecord;
    expect(record.variants.map((v) => [v.id, v.state, v.smoke?.passed])).toEqual([
      ['full', 'succeeded', true],
      ['slim', 'succeeded', false],
    ]);
    const events = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { kind: string });
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set(['progress', 'step', 'log', 'variant', 'smoke']),
    );
    expect(stderr).toMatch(/smoke test failed/);
  });

  it('prints plain progress and the variant table', async () => {
    const { code, stdout, stderr } = await cli([
      'build',
      '--network',
      'host',
      '-C',
      project,
      '--variant',
      'full=runtime-full',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^#\d+ \[conda 2\/3\] COPY src\/mypkg/m);
    expect(stderr).toMatch(/^#\d+ (CACHED|DONE)/m);
    expect(stderr).toMatch(/^== Built full: \d+(\.\d+)? (B|KiB|MiB|GiB) in \d+ layers$/m);
    expect(stdout).toMatch(/^variant\s+state\s+size/m);
    expect(stdout).toMatch(/^full\s+succeeded/m);
  });

  it('compares the latest build, or two builds, as a table or JSON', async () => {
    const list = await cli(['compare', '-C', project, '--json']);
    expect(list.code).toBe(0);
    const latest = JSON.parse(list.stdout) as BuildComparison;
    expect(latest.rows.map((r) => r.variantId)).toEqual(['full']);

    const [second, first] = (await listBuilds(project)).map((b) => b.id);
    const both = await cli(['compare', '-C', project, first!, second!, '--layers']);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/^build\s+variant/m);
    expect(both.stdout).toMatch(/rule .* smoke test|full\s+succeeded/);
    expect(both.stdout).toMatch(/^layer\s+full\s+slim\s+full$/m);

    const missing = await cli(['compare', '-C', project, '20200101-000000-abcdef']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No build 20200101-000000-abcdef/);
  });

  it('explains a project with nothing to build', async () => {
    const empty = mkdtempSync(join(temp, 'empty-'));
    const { code, stderr } = await cli(['build', '-C', empty]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no condense.yml and no Dockerfile/);
    const bad = await cli(['build', '-C', empty, '--concurrency', 'two']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--concurrency takes a whole number from 1 to 8/);
  });
});
