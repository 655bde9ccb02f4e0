import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SYNTHETIC_ROLES } from '../../../fixtures/synthetic/synthetic-channel';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { type ServedChannel, serveSyntheticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';

let channel: ServedChannel;
let root: string;

beforeAll(async () => {
  channel = await serveSyntheticChannel();
  root = await mkdtemp(join(tmpdir(), 'condense-cli-lock-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
});
afterAll(async () => {
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

const cli = runCliCaptured;

let counter = 0;
async function project(deps: string[]): Promise<string> {
  const dir = join(root, `p${++counter}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'environment.yml'),
    `name: app # the service\nchannels:\n  - ${channel.url}\ndependencies:\n${deps.map((d) => `  - ${d}\n`).join('')}`,
  );
  return dir;
}

describe('condense lock on the synthetic channel', () => {
  it('writes both lockfiles, paths on stdout, progress on stderr; every URL downloads with its md5', async () => {
    const dir = await project(['python=3.11', 'numpy', 'pip']);
    const result = await cli(['lock', '--project', dir]);
    expect(result.stderr).not.toMatch(/condense lock:/);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      join(dir, 'conda-linux-64.lock'),
      join(dir, 'conda-lock.yml'),
    ]);
    expect(result.stderr).toMatch(/solving 3 specs for linux-64/);
    expect(result.stderr).toMatch(/locked in [\d.]+ s \(linux-64: \d+ packages\)/);

    const lock = parseExplicitLockfile(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8'));
    const byName = new Map(lock.packages.map((p) => [p.name, p]));
    expect(byName.get('python')!.version).toMatch(/^3\.11\./);
    expect([...byName.keys()].some((n) => n.includes('openblas'))).toBe(true);
    for (const p of lock.packages) {
      const response = await fetch(p.url);
      expect(response.status, p.url).toBe(200);
      const md5 = createHash('md5')
        .update(Buffer.from(await response.arrayBuffer()))
        .digest('hex');
      expect(md5, p.url).toBe(p.md5);
    }
  });

  it('--refresh asks the channel again, however fresh the cached repodata is', async () => {
    const dir = await project(['python=3.11']);
    expect((await cli(['lock', '--project', dir])).code).toBe(0);
    // Whatever the channel's Cache-Control, a refresh makes a conditional request (304 here).
    const refreshed = await cli(['lock', '--project', dir, '--refresh']);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stderr).toMatch(new RegExp(`repodata ${channel.url}/linux-64: revalidated`));
  });

  it('picks the BLAS variant asked for', async () => {
    const dir = await project([
      'python=3.12',
      'numpy',
      `blas=*=${SYNTHETIC_ROLES.blasVariants[1]}`,
    ]);
    const result = await cli(['lock', '--project', dir]);
    expect(result.code).toBe(0);
    const text = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
    expect(text).toContain(SYNTHETIC_ROLES.blasVariants[1]);
    expect(text).toMatch(/python-3\.12/);
  });

  it('fails with the conflict chain for conflicting packages', async () => {
    const dir = await project([...SYNTHETIC_ROLES.conflicting]);
    const result = await cli(['lock', '--project', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /condense lock: the specs cannot be satisfied together for linux-64/,
    );
  });

  it('honours __glibc: 2.28 satisfies needs-glibc, not needs-new-glibc', async () => {
    expect(
      (await cli(['lock', '--project', await project([SYNTHETIC_ROLES.needsGlibc])])).code,
    ).toBe(0);
    const result = await cli(['lock', '--project', await project([SYNTHETIC_ROLES.needsNewGlibc])]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/__glibc >=2\.99/);
  });

  it('refuses bad options clearly', async () => {
    const dir = await project(['python']);
    const engine = await cli(['lock', '--project', dir, '--engine', 'poetry']);
    expect(engine.code).toBe(1);
    expect(engine.stderr).toContain('--engine takes builtin or conda-lock, not "poetry"');
    const platform = await cli(['lock', '--project', dir, '--platform', 'linux-aarch64']);
    expect(platform.code).toBe(1);
    expect(platform.stderr).toMatch(/no channel has a "linux-aarch64" subdir/);
  });

  it('condense search lists names and versions', async () => {
    const dir = await project(['python']);
    const result = await cli(['search', 'numpy', '--project', dir, '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { name: string; versions: string[] }[];
    expect(rows[0]!.name).toBe('numpy');
    expect(rows[0]!.versions.length).toBeGreaterThan(0);
  });
});
