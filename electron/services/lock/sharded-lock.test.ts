import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { RepodataCache } from '../channels/repodata-cache';
import { lockProject } from './lock-service';
import { MINI_RECORDS, writeShardedChannel } from './testing/mini-channel';

let root: string;
let server: ChannelServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-sharded-'));
  await writeShardedChannel(join(root, 'channel'), MINI_RECORDS);
  server = await startChannelServer({ root: join(root, 'channel') });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('locking from a sharded channel (CEP 16)', () => {
  it('fetches only the shards reachable from the specs, then works from the cache', async () => {
    const dir = join(root, 'project');
    await mkdir(dir);
    await writeFile(
      join(dir, 'environment.yml'),
      `channels: [${server.url}]\ndependencies:\n  - python=3.11\n  - six\n`,
    );
    const cacheDir = join(root, 'cache');
    await lockProject({ projectDir: dir }, {}, { cache: new RepodataCache({ dir: cacheDir }) });
    const lock = parseExplicitLockfile(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8'));
    expect(lock.packages.map((p) => p.name).sort()).toEqual([
      '_libgcc_mutex',
      'libgcc-ng',
      'libzlib',
      'python',
      'python_abi',
      'six',
    ]);
    const six = lock.packages.find((p) => p.name === 'six')!;
    expect(six.url).toBe(`${server.url}/noarch/six-1.16.0-pyh6c4a22f_0.conda`);
    expect(six.md5).toMatch(/^[0-9a-f]{32}$/);
    const paths = server.requests.map((r) => r.path);
    expect(paths.filter((p) => p.endsWith('repodata.json'))).toEqual([]);
    // python, six and their dependencies: 6 shards, never numpy's or cudatoolkit's
    expect(paths.filter((p) => p.includes('/shards/'))).toHaveLength(6);

    const mark = server.requests.length;
    const cache = new RepodataCache({ dir: cacheDir });
    await lockProject({ projectDir: dir }, {}, { cache });
    expect(
      server.requests
        .slice(mark)
        .map((r) => `${r.path} ${r.status}`)
        .sort(),
    ).toEqual([
      '/linux-64/repodata_shards.msgpack.zst 304',
      '/noarch/repodata_shards.msgpack.zst 304',
    ]);
    // Same cache object within a minute (the app stays open): no request at all.
    const mark2 = server.requests.length;
    await lockProject({ projectDir: dir }, {}, { cache });
    expect(server.requests.length).toBe(mark2);
  });
});
