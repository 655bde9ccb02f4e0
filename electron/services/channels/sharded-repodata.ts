import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { decompress } from 'fzstd';

import { CondenseError } from '../../../shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { type ChannelAnswer, channelGet } from './channel-fetch';
import { type ChannelRef } from './channel-url';
import { decode, type MsgValue } from './msgpack';
import { channelKey } from './repodata-cache';
import { type FreshnessPolicy, isFresh, ttlFromEnv } from './repodata-freshness';

/**
 * Sharded repodata (CEP 16): `<subdir>/repodata_shards.msgpack.zst` maps each package name to the
 * sha256 of its shard, `<shards_base_url><sha256>.msgpack.zst`, which holds that name's records. A
 * lock then fetches a few hundred small shards instead of conda-forge's 240 MB. Shards are content
 * addressed, so a cached shard never needs revalidating; the index is revalidated with its ETag.
 */
export interface ShardIndex {
  /** `<publicUrl>/<subdir>/repodata_shards.msgpack.zst` */
  url: string;
  subdir: string;
  /** name -> shard sha256 (hex) */
  shards: Map<string, string>;
  /** Absolute shard base for fetching (may carry credentials). */
  shardsBase: string;
  baseUrl?: string;
}

interface IndexMeta {
  etag?: string;
  lastModified?: string;
  cacheControl?: string;
  /** The channel had no sharded index when last asked. */
  absent?: boolean;
  checkedAt: number;
}

// A channel without shards is asked again after a day (it may start serving them).
const ABSENT_RECHECK_MS = 24 * 60 * 60_000;

const isMap = (v: MsgValue | undefined): v is { [key: string]: MsgValue } =>
  typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
const hex = (v: MsgValue | undefined) =>
  v instanceof Uint8Array ? Buffer.from(v).toString('hex') : undefined;

function get(
  url: string,
  extra: Record<string, string>,
  what: string,
  signal?: AbortSignal,
): Promise<ChannelAnswer> {
  return channelGet(url, { headers: extra, what, ...(signal ? { signal } : {}) });
}

function parseIndex(url: string, subdir: string, fetchDir: string, data: Uint8Array): ShardIndex {
  let value: MsgValue;
  try {
    value = decode(decompress(data));
  } catch (error) {
    throw new CondenseError(
      'CHANNEL_UNREACHABLE',
      `${url} is not a valid sharded repodata index (${(error as Error).message}); it was not used or cached`,
    );
  }
  if (!isMap(value) || !isMap(value.shards))
    throw new CondenseError('CHANNEL_UNREACHABLE', `${url} is not a sharded repodata index`);
  const info = isMap(value.info) ? value.info : {};
  const shards = new Map<string, string>();
  for (const [name, digest] of Object.entries(value.shards)) {
    const h = hex(digest);
    if (h) shards.set(name, h);
  }
  const base = typeof info.shards_base_url === 'string' ? info.shards_base_url : './shards/';
  const shardsBase = new URL(base, `${fetchDir}/`).toString();
  return {
    url,
    subdir,
    shards,
    shardsBase,
    ...(typeof info.base_url === 'string' ? { baseUrl: info.base_url } : {}),
  };
}

/** The channel's shard index, or undefined when it serves none. Offline, the cached copy is used. */
export async function getShardIndex(
  cache: {
    dir: string;
    ttlSeconds?: number;
    recentShardIndexes: Map<string, { index?: ShardIndex; checkedAt: number }>;
  },
  channel: ChannelRef,
  subdir: string,
  signal?: AbortSignal,
  options: { refresh?: boolean } = {},
): Promise<ShardIndex | undefined> {
  const url = `${channel.publicUrl}/${subdir}/repodata_shards.msgpack.zst`;
  // Checked in the last minute: used without asking upstream again (a second lock, app open).
  const key = channelKey(channel, `${subdir}/shards`);
  const recent = cache.recentShardIndexes.get(key);
  if (!options.refresh && recent && Date.now() - recent.checkedAt < FRESH_MS) return recent.index;
  const policy = {
    ttlSeconds: cache.ttlSeconds ?? ttlFromEnv(),
    refresh: options.refresh ?? false,
  };
  const index = await loadShardIndex(cache.dir, channel, subdir, url, key, policy, signal);
  cache.recentShardIndexes.set(key, { ...(index ? { index } : {}), checkedAt: Date.now() });
  return index;
}

const FRESH_MS = 60_000;

async function loadShardIndex(
  cacheDir: string,
  channel: ChannelRef,
  subdir: string,
  url: string,
  key: string,
  policy: FreshnessPolicy,
  signal?: AbortSignal,
): Promise<ShardIndex | undefined> {
  const dir = join(cacheDir, 'shards');
  const metaPath = join(dir, `${key}.index.meta.json`);
  const dataPath = join(dir, `${key}.index.msgpack.zst`);
  const meta = await readFile(metaPath, 'utf8').then(
    (t) => JSON.parse(t) as IndexMeta,
    () => undefined,
  );
  if (!policy.refresh && meta?.absent && Date.now() - meta.checkedAt < ABSENT_RECHECK_MS)
    return undefined;
  const cached = meta && !meta.absent ? await readFile(dataPath).catch(() => undefined) : undefined;
  const fetchDir = `${channel.fetchUrl}/${subdir}`;
  if (cached && meta && isFresh(meta, policy)) return parseIndex(url, subdir, fetchDir, cached);
  let response: ChannelAnswer;
  try {
    const conditional: Record<string, string> = {};
    if (cached && meta?.etag) conditional['if-none-match'] = meta.etag;
    if (cached && meta?.lastModified) conditional['if-modified-since'] = meta.lastModified;
    response = await get(
      `${fetchDir}/repodata_shards.msgpack.zst`,
      conditional,
      `channel ${channel.publicUrl}`,
      signal,
    );
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    if (cached) return parseIndex(url, subdir, fetchDir, cached);
    // Let the plain repodata path report the unreachable channel with its own message.
    void error;
    return undefined;
  }
  await mkdir(dir, { recursive: true });
  if (response.status === 304 && cached && meta) {
    const checked: IndexMeta = {
      ...meta,
      checkedAt: Date.now(),
      cacheControl: response.headers.get('cache-control') ?? undefined,
    };
    await writeFileAtomic(metaPath, JSON.stringify(checked));
    return parseIndex(url, subdir, fetchDir, cached);
  }
  if (!response.ok) {
    await writeFileAtomic(
      metaPath,
      JSON.stringify({ absent: true, checkedAt: Date.now() } satisfies IndexMeta),
    );
    return undefined;
  }
  const data = new Uint8Array(response.body);
  const index = parseIndex(url, subdir, fetchDir, data);
  await writeFileAtomic(dataPath, data);
  const fresh: IndexMeta = {
    etag: response.headers.get('etag') ?? undefined,
    lastModified: response.headers.get('last-modified') ?? undefined,
    cacheControl: response.headers.get('cache-control') ?? undefined,
    checkedAt: Date.now(),
  };
  await writeFileAtomic(metaPath, JSON.stringify(fresh));
  return index;
}

// Decoded shards by sha256 (content addressed, so never stale), bounded for a long-running app.
const decodedShards = new Map<string, [string[], string[]]>();
const DECODED_LIMIT = 20_000;

/** Records of the names fetched so far from one sharded subdir, as repodata.json text. */
export class ShardedRepodata {
  /** name -> JSON entries `"<file>":{...}` for `packages` (0) and `packages.conda` (1) */
  private readonly records = new Map<string, [string[], string[]]>();

  constructor(
    private readonly cacheDir: string,
    readonly index: ShardIndex,
  ) {}

  has(name: string): boolean {
    return this.index.shards.has(name);
  }

  fetched(name: string): boolean {
    return this.records.has(name);
  }

  /** Fetches (or reads from the disk cache) the shards of `names`, 16 at a time. */
  async fetch(names: string[], signal?: AbortSignal): Promise<void> {
    const wanted = names.filter((n) => this.has(n) && !this.fetched(n));
    for (let i = 0; i < wanted.length; i += 16) {
      await Promise.all(wanted.slice(i, i + 16).map((name) => this.fetchOne(name, signal)));
    }
  }

  private async fetchOne(name: string, signal?: AbortSignal): Promise<void> {
    const digest = this.index.shards.get(name)!;
    const known = decodedShards.get(digest);
    if (known) {
      this.records.set(name, known);
      return;
    }
    const path = join(this.cacheDir, 'shards', `${digest}.msgpack.zst`);
    let data: Buffer | undefined = await readFile(path).catch(() => undefined);
    if (!data) {
      const url = `${this.index.shardsBase}${digest}.msgpack.zst`;
      let response: ChannelAnswer;
      try {
        response = await get(
          url,
          {},
          `the repodata shard of "${name}" (${this.index.url})`,
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
        throw error;
      }
      if (!response.ok) {
        throw new CondenseError(
          'CHANNEL_UNREACHABLE',
          `the shard of "${name}" answered ${response.status} (${this.index.url})`,
          { name },
        );
      }
      data = response.body;
      // Content addressed: a shard that does not hash to its name is refused rather than cached.
      if (createHash('sha256').update(data).digest('hex') !== digest) {
        throw new CondenseError(
          'CHANNEL_UNREACHABLE',
          `the shard of "${name}" does not match its sha256 (${this.index.url})`,
          { name },
        );
      }
      await mkdir(join(this.cacheDir, 'shards'), { recursive: true });
      await writeFileAtomic(path, data);
    }
    const shard = decode(decompress(data));
    const out: [string[], string[]] = [[], []];
    if (isMap(shard)) {
      for (const [section, slot] of [
        ['packages', 0],
        ['packages.conda', 1],
      ] as const) {
        const records = shard[section];
        if (!isMap(records)) continue;
        for (const [file, record] of Object.entries(records)) {
          if (!isMap(record)) continue;
          // Hashes are binary in shards, hex strings in repodata.json.
          const json: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(record))
            json[k] = v instanceof Uint8Array ? hex(v) : v;
          out[slot].push(`${JSON.stringify(file)}:${JSON.stringify(json)}`);
        }
      }
    }
    this.records.set(name, out);
    if (decodedShards.size >= DECODED_LIMIT)
      decodedShards.delete(decodedShards.keys().next().value!);
    decodedShards.set(digest, out);
  }

  /** A repodata.json of every record fetched so far. */
  repodata(): Buffer {
    const all = [...this.records.values()];
    const info = {
      subdir: this.index.subdir,
      ...(this.index.baseUrl ? { base_url: this.index.baseUrl } : {}),
    };
    return Buffer.from(
      `{"info":${JSON.stringify(info)},"packages":{${all.flatMap((r) => r[0]).join(',')}},"packages.conda":{${all.flatMap((r) => r[1]).join(',')}},"repodata_version":1}`,
    );
  }
}
