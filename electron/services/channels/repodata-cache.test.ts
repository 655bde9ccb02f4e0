import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { zstdRaw } from '../../../fixtures/lib/compress';
import { MINI_RECORDS, writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from './repodata-cache';

let root: string;
let server: ChannelServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-repodata-cache-'));
  const channel = join(root, 'channel');
  await writeMiniChannel(channel, MINI_RECORDS);
  for (const subdir of ['linux-64', 'noarch']) {
    // Only the .zst stays, so a successful read proves it was used. The fixtures' JS writer makes it
    // (no zstd program needed).
    const plain = join(channel, subdir, 'repodata.json');
    await writeFile(`${plain}.zst`, zstdRaw(await readFile(plain)));
    await rm(plain);
  }
  server = await startChannelServer({ root: channel });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('repodata.json.zst', () => {
  const channel = () => ({ name: server.url, fetchUrl: server.url, publicUrl: server.url });

  it('is preferred, decompressed, cached and revalidated by its own ETag', async () => {
    const cacheDir = join(root, 'cache');
    const firstCache = new RepodataCache({ dir: cacheDir });
    const first = await firstCache.get(channel(), 'noarch');
    await firstCache.flush();
    expect(first.source).toBe('downloaded');
    const parsed = JSON.parse(first.bytes.toString()) as {
      'packages.conda': Record<string, unknown>;
    };
    expect(Object.keys(parsed['packages.conda'])).toContain('six-1.16.0-pyh6c4a22f_0.conda');
    expect(server.requests.at(-1)).toMatchObject({
      path: '/noarch/repodata.json.zst',
      status: 200,
    });

    const again = await new RepodataCache({ dir: cacheDir }).get(channel(), 'noarch');
    expect(again.source).toBe('revalidated');
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({
      path: '/noarch/repodata.json.zst',
      status: 304,
    });
  });

  it('falls back to plain repodata.json when there is no .zst, and remembers it', async () => {
    const plain = join(root, 'plain');
    await writeMiniChannel(plain, MINI_RECORDS);
    const s = await startChannelServer({ root: plain });
    try {
      const ref = { name: s.url, fetchUrl: s.url, publicUrl: s.url };
      const cacheDir = join(root, 'plain-cache');
      const firstCache = new RepodataCache({ dir: cacheDir });
      await firstCache.get(ref, 'linux-64');
      await firstCache.flush();
      expect(s.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
        '/linux-64/repodata.json.zst 404',
        '/linux-64/repodata.json 200',
      ]);
      await new RepodataCache({ dir: cacheDir }).get(ref, 'linux-64');
      expect(s.requests.slice(2).map((r) => `${r.path} ${r.status}`)).toEqual([
        '/linux-64/repodata.json 304',
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('memory', () => {
  it('reuses the in-memory copy after a 304 and forgets it after keepMs', async () => {
    const plain = join(root, 'memory-channel');
    await writeMiniChannel(plain, MINI_RECORDS);
    const s = await startChannelServer({ root: plain });
    try {
      const ref = { name: s.url, fetchUrl: s.url, publicUrl: s.url };
      // Reuse: keepMs (default 10 minutes) cannot run out between two gets however slow the machine.
      const cache = new RepodataCache({ dir: join(root, 'memory-cache'), freshMs: 0 });
      const first = await cache.get(ref, 'noarch');
      await cache.flush();
      const index = await cache.index(first);
      const second = await cache.get(ref, 'noarch');
      expect(second.source).toBe('revalidated');
      // the same bytes object, so the index is reused rather than rebuilt
      expect(second.bytes).toBe(first.bytes);
      expect(await cache.index(second)).toBe(index);
      // Forgetting: the 200 ms eviction timer is set before the 400 ms wait, so it fires first.
      const forgetful = new RepodataCache({
        dir: join(root, 'memory-cache-forget'),
        freshMs: 0,
        keepMs: 200,
      });
      const kept = await forgetful.get(ref, 'noarch');
      await forgetful.flush();
      await new Promise((resolve) => setTimeout(resolve, 400));
      const third = await forgetful.get(ref, 'noarch');
      expect(third.source).toBe('revalidated');
      expect(third.bytes).not.toBe(kept.bytes);
      expect(third.bytes.equals(kept.bytes)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
