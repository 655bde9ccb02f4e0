import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { zstdRaw } from '../../../fixtures/lib/compress';
import { startRawServer } from '../../../test/support/hanging-servers';
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

describe('a plain repodata.json download', () => {
  it('reaches the disk while it arrives; the copy appears only once whole and checked', async () => {
    const records = Object.fromEntries(
      Array.from({ length: 60_000 }, (_, n) => [
        `pkg${n % 50}-1.${n}-h${n}_0.conda`,
        { name: `pkg${n % 50}`, version: `1.${n}`, build: `h${n}_0`, depends: ['python'] },
      ]),
    );
    const body = Buffer.from(
      JSON.stringify({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': records }),
    );
    const half = Math.floor(body.length / 2);
    let rest: (() => void) | undefined;
    const halfway = startRawServer((path, response) => {
      if (!path.endsWith('/repodata.json')) {
        response.writeHead(404);
        return response.end();
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.length),
      });
      response.write(body.subarray(0, half));
      rest = () => response.end(body.subarray(half));
    });
    const streaming = await halfway;
    try {
      const dir = join(root, 'streamed');
      const channel = { name: 'c', fetchUrl: streaming.url, publicUrl: streaming.url };
      const cache = new RepodataCache({ dir });
      const download = cache.records(channel, 'noarch');
      // Half the body has arrived: it is on disk already (but for the last batch, up to 1 MiB),
      // under a temporary name only.
      const folder = join(dir, 'repodata');
      const temporary = await waitFor(async () => {
        const names = await readdir(folder).catch(() => []);
        const temp = names.find((n) => n.endsWith('.tmp') && n.includes('.json.'));
        return temp && (await stat(join(folder, temp))).size >= half - 2 ** 20 ? names : undefined;
      });
      expect(temporary.filter((n) => !n.endsWith('.tmp'))).toEqual([]);
      rest!();
      const { source, index } = await download;
      await cache.flush();
      expect(source).toBe('downloaded');
      expect(index!.records).toBe(60_000);
      expect(index!.byName.get('pkg7')).toHaveLength(1200);
      const names = await readdir(folder);
      expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      const data = names.find((n) => /^[0-9a-f]+\.json$/.test(n))!;
      expect((await readFile(join(folder, data))).equals(body)).toBe(true);
    } finally {
      rest?.();
      await streaming.close();
    }
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
