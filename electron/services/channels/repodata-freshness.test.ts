import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { MINI_RECORDS, writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from './repodata-cache';
import { DiskRepodata } from './repodata-disk-index';
import { cacheControlMaxAge, DEFAULT_TTL_SECONDS, isFresh, ttlFromEnv } from './repodata-freshness';
import { filteredRepodata, indexRepodata } from './repodata-index';

describe('freshness policy (conda local_repodata_ttl semantics)', () => {
  it('reads max-age, and no-cache / no-store as 0', () => {
    expect(cacheControlMaxAge('public, max-age=1200')).toBe(1200);
    expect(cacheControlMaxAge('Max-Age=30')).toBe(30);
    expect(cacheControlMaxAge('no-cache')).toBe(0);
    expect(cacheControlMaxAge('max-age=600, no-store')).toBe(0);
    expect(cacheControlMaxAge('public')).toBeUndefined();
    expect(cacheControlMaxAge(undefined)).toBeUndefined();
  });

  it('follows the channel, else the default TTL; an override or a refresh wins', () => {
    const now = 1_000_000_000;
    const at = (secondsAgo: number, cacheControl?: string) => ({
      checkedAt: now - secondsAgo * 1000,
      ...(cacheControl ? { cacheControl } : {}),
    });
    expect(isFresh(at(DEFAULT_TTL_SECONDS - 1), {}, now)).toBe(true);
    expect(isFresh(at(DEFAULT_TTL_SECONDS + 1), {}, now)).toBe(false);
    expect(isFresh(at(10, 'max-age=30'), {}, now)).toBe(true);
    expect(isFresh(at(31, 'max-age=30'), {}, now)).toBe(false);
    expect(isFresh(at(1, 'no-cache'), {}, now)).toBe(false);
    expect(isFresh(at(1, 'no-cache'), { ttlSeconds: 60 }, now)).toBe(true);
    expect(isFresh(at(1), { ttlSeconds: 0 }, now)).toBe(false);
    expect(isFresh(at(1, 'max-age=3600'), { refresh: true }, now)).toBe(false);
    expect(isFresh({}, {}, now), 'never checked').toBe(false);
    expect(isFresh(at(-60), {}, now), 'checked in the future: clock went back').toBe(false);
  });

  it('takes CONDENSE_REPODATA_TTL as whole seconds only', () => {
    expect(ttlFromEnv({ CONDENSE_REPODATA_TTL: '0' })).toBe(0);
    expect(ttlFromEnv({ CONDENSE_REPODATA_TTL: ' 90 ' })).toBe(90);
    expect(ttlFromEnv({ CONDENSE_REPODATA_TTL: '-1' })).toBeUndefined();
    expect(ttlFromEnv({ CONDENSE_REPODATA_TTL: 'soon' })).toBeUndefined();
    expect(ttlFromEnv({})).toBeUndefined();
  });
});

let root: string;
let channelDir: string;
let server: ChannelServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-freshness-'));
  channelDir = join(root, 'channel');
  await writeMiniChannel(channelDir, MINI_RECORDS);
  // A plain static file server: Last-Modified only, no ETag, no Cache-Control.
  server = await startChannelServer({ root: channelDir, etag: false, cacheControl: null });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('RepodataCache on a server without ETag or Cache-Control', () => {
  const ref = () => ({ name: server.url, fetchUrl: server.url, publicUrl: server.url });
  const requests = (from: number) =>
    server.requests.slice(from).map((r) => `${r.path.split('/').slice(-2).join('/')} ${r.status}`);

  it('uses a fresh copy without a request, revalidates on refresh, sees a change', async () => {
    const dir = join(root, 'cache-a');
    const first = new RepodataCache({ dir });
    expect((await first.records(ref(), 'linux-64')).source).toBe('downloaded');
    await first.flush();

    // A new process within the window: no request, records read through the index on disk.
    let mark = server.requests.length;
    const warm = await new RepodataCache({ dir }).records(ref(), 'linux-64');
    expect(warm.source).toBe('cached');
    expect(warm.disk).toBeInstanceOf(DiskRepodata);
    expect(requests(mark)).toEqual([]);

    mark = server.requests.length;
    const refreshed = await new RepodataCache({ dir }).records(ref(), 'linux-64', undefined, {
      refresh: true,
    });
    expect(refreshed.source).toBe('revalidated');
    expect(requests(mark)).toEqual(['linux-64/repodata.json 304']);

    // The channel changes (a new numpy): still served from the window, seen on refresh.
    await writeMiniChannel(channelDir, [
      ...MINI_RECORDS,
      { name: 'numpy', version: '9.9.9', build: 'py311h0_0', depends: ['python >=3.11'] },
    ]);
    const later = new Date(Date.now() + 5000);
    await utimes(join(channelDir, 'linux-64', 'repodata.json'), later, later);
    const stale = await new RepodataCache({ dir }).get(ref(), 'linux-64');
    expect(stale.source).toBe('cached');
    expect(stale.bytes.toString()).not.toContain('numpy-9.9.9');
    const changed = new RepodataCache({ dir });
    const seen = await changed.records(ref(), 'linux-64', undefined, { refresh: true });
    await changed.flush();
    expect(seen.source).toBe('downloaded');
    expect(seen.index!.byName.get('numpy')!.length).toBe(
      MINI_RECORDS.filter((r) => r.name === 'numpy').length + 1,
    );
    // ...and the next process uses the new copy.
    const after = await new RepodataCache({ dir }).records(ref(), 'linux-64');
    await after.disk!.fetch(['numpy']);
    expect(after.disk!.repodata().toString()).toContain('numpy-9.9.9');
    await writeMiniChannel(channelDir, MINI_RECORDS);
  });

  it('asks on every lock with a TTL of 0, and honours a max-age the channel sends', async () => {
    const dir = join(root, 'cache-b');
    const first = new RepodataCache({ dir });
    await first.get(ref(), 'noarch');
    await first.flush();
    let mark = server.requests.length;
    const again = await new RepodataCache({ dir, ttlSeconds: 0 }).get(ref(), 'noarch');
    expect(again.source).toBe('revalidated');
    expect(requests(mark)).toEqual(['noarch/repodata.json 304']);

    const cached = await startChannelServer({ root: channelDir, cacheControl: 'max-age=3600' });
    const forbidden = await startChannelServer({ root: channelDir, cacheControl: 'no-cache' });
    try {
      for (const [s, expected] of [
        [cached, 'cached'],
        [forbidden, 'revalidated'],
      ] as const) {
        const r = { name: s.url, fetchUrl: s.url, publicUrl: s.url };
        const d = join(root, `cache-${s.port}`);
        const c = new RepodataCache({ dir: d });
        await c.get(r, 'noarch');
        await c.flush();
        mark = s.requests.length;
        expect((await new RepodataCache({ dir: d }).get(r, 'noarch')).source).toBe(expected);
        expect(s.requests.length - mark).toBe(expected === 'cached' ? 0 : 1);
      }
    } finally {
      await cached.close();
      await forbidden.close();
    }
  });

  it('reads only the asked names from disk, the same records as the whole file', async () => {
    const dir = join(root, 'cache-c');
    const first = new RepodataCache({ dir });
    const entry = await first.get(ref(), 'linux-64');
    await first.index(entry);
    await first.flush();
    const { disk } = await new RepodataCache({ dir }).records(ref(), 'linux-64');
    expect(disk!.has('numpy')).toBe(true);
    expect(disk!.has('not-a-package')).toBe(false);
    await disk!.fetch(['numpy', 'python']);
    expect(disk!.fetched('numpy')).toBe(true);
    expect(disk!.fetched('libzlib')).toBe(false);
    const subset = JSON.parse(disk!.repodata().toString()) as Record<string, unknown>;
    const whole = JSON.parse(
      filteredRepodata(indexRepodata(entry.bytes), ['numpy', 'python'], 'linux-64').toString(),
    ) as Record<string, unknown>;
    expect(subset).toEqual(whole);
    expect(Object.keys(subset['packages.conda'] as object).length).toBeGreaterThan(2);
  });
});
