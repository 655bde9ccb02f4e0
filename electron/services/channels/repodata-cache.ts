import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { type ChannelAnswer,channelGet } from './channel-fetch';
import { type ChannelRef } from './channel-url';
import { checkRepodata, decompressRepodata, repodataMaxBytes } from './repodata-check';
import {
  deserializeIndex,
  indexRepodata,
  type RepodataIndex,
  serializeIndex,
} from './repodata-index';
import type { ShardIndex } from './sharded-repodata';

/** One subdir's repodata.json as fetched or cached, with how it was obtained. */
export interface RepodataEntry {
  /** `<publicUrl>/<subdir>/repodata.json` (no credentials). */
  url: string;
  /** Cache key: a hash of the full channel identity (fetch URL, token included) and subdir. */
  key: string;
  bytes: Buffer;
  /** `downloaded` (200), `revalidated` (304), `memory` (checked this session), `offline` (upstream unreachable, disk copy used). */
  source: 'downloaded' | 'revalidated' | 'memory' | 'offline';
  etag?: string;
  lastModified?: string;
}

type Variant = 'zst' | 'json';

interface CacheMeta {
  url: string;
  /** Which file the validators belong to: `repodata.json.zst` or `repodata.json`. */
  variant?: Variant;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
}

/**
 * The cache key of a channel's subdir: a hash of the full identity, so two channels that differ only
 * by their token get different entries, and no token is written to disk (file names are the hash).
 */
export function channelKey(channel: Pick<ChannelRef, 'fetchUrl'>, subdir: string): string {
  return createHash('sha256').update(`${channel.fetchUrl}/${subdir}`).digest('hex').slice(0, 32);
}

/** A subdir the channel does not have (404), as opposed to a channel that cannot be reached. */
export class MissingSubdirError extends CondenseError {
  constructor(
    readonly channel: string,
    readonly subdir: string,
  ) {
    super(
      'NOT_FOUND',
      `channel ${channel} has no "${subdir}" subdir (${channel}/${subdir}/repodata.json: 404)`,
      {
        channel,
        subdir,
      },
    );
  }
}

export interface RepodataCacheOptions {
  dir: string;
  /** How long a copy checked in this session is used without asking upstream again; default 60 s. */
  freshMs?: number;
  /** How long unused repodata stays in memory; default 10 minutes. */
  keepMs?: number;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

/**
 * Repodata on disk under `<dir>/repodata/`, revalidated with ETag / If-Modified-Since, kept in memory
 * for the session so a second lock while the app is open asks upstream at most once a minute. When
 * upstream cannot be reached the disk copy is used (offline locks).
 */
export class RepodataCache {
  private readonly memory = new Map<string, { entry: RepodataEntry; checkedAt: number }>();
  private readonly evictions = new Map<string, NodeJS.Timeout>();
  private readonly indexes = new Map<string, RepodataIndex>();

  constructor(private readonly options: RepodataCacheOptions) {}

  /** Shard indexes (CEP 16) checked by this cache object, by URL; see `getShardIndex`. */
  readonly recentShardIndexes = new Map<string, { index?: ShardIndex; checkedAt: number }>();

  /** The cache folder (shards live in `<dir>/shards/`). */
  get dir(): string {
    return this.options.dir;
  }

  /**
   * Keeps an entry in memory, and drops it (with its index) after `keepMs` without use, so an app
   * left open does not hold conda-forge's 240 MB forever.
   */
  private remember(key: string, entry: RepodataEntry, checkedAt = Date.now()): void {
    this.memory.set(key, { entry, checkedAt });
    clearTimeout(this.evictions.get(key));
    const timer = setTimeout(
      () => {
        this.memory.delete(key);
        this.indexes.delete(key);
        this.evictions.delete(key);
      },
      this.options.keepMs ?? 10 * 60_000,
    );
    timer.unref();
    this.evictions.set(key, timer);
  }

  private paths(key: string) {
    const base = join(this.options.dir, 'repodata', key);
    return { data: `${base}.json`, meta: `${base}.meta.json`, index: `${base}.index.bin` };
  }

  private readonly pending = new Set<Promise<void>>();

  /** Runs a cache write without making the caller wait; `flush` waits for all of them. */
  private background(write: () => Promise<void>): void {
    const promise = write()
      // The cache is best effort: a failed write only means the next lock downloads again.
      .catch(() => undefined)
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** Waits until every cache write started so far has reached the disk. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private request(
    channel: ChannelRef,
    subdir: string,
    variant: Variant,
    validators: CacheMeta | undefined,
    signal?: AbortSignal,
  ): Promise<ChannelAnswer> {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip' };
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    return channelGet(
      `${channel.fetchUrl}/${subdir}/repodata.json${variant === 'zst' ? '.zst' : ''}`,
      {
        headers,
        what: `channel ${channel.publicUrl}`,
        maxBytes: repodataMaxBytes(),
        ...(signal ? { signal } : {}),
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
  }

  async get(channel: ChannelRef, subdir: string, signal?: AbortSignal): Promise<RepodataEntry> {
    const url = `${channel.publicUrl}/${subdir}/repodata.json`;
    const key = channelKey(channel, subdir);
    const remembered = this.memory.get(key);
    if (remembered && Date.now() - remembered.checkedAt < (this.options.freshMs ?? 60_000)) {
      this.remember(key, remembered.entry, remembered.checkedAt);
      return { ...remembered.entry, source: 'memory' };
    }
    const paths = this.paths(key);
    let meta: CacheMeta | undefined;
    let cached: Buffer | undefined;
    try {
      meta = JSON.parse(await readFile(paths.meta, 'utf8')) as CacheMeta;
      // Same validators as the copy in memory: reuse it (and its index) instead of reading 240 MB.
      const same =
        remembered !== undefined &&
        remembered.entry.etag === meta.etag &&
        remembered.entry.lastModified === meta.lastModified;
      cached = same ? remembered.entry.bytes : await readFile(paths.data);
    } catch {
      meta = undefined;
      cached = undefined;
    }
    // repodata.json.zst is about a fifth of the plain file (conda-forge serves it); a channel that
    // has none is remembered as plain, so revalidation costs one request.
    const variants: Variant[] = meta?.variant === 'json' ? ['json'] : ['zst', 'json'];
    let response: ChannelAnswer | undefined;
    let variant: Variant = 'json';
    for (variant of variants) {
      const conditional =
        cached !== undefined && meta !== undefined && (meta.variant ?? 'json') === variant;
      try {
        response = await this.request(
          channel,
          subdir,
          variant,
          conditional ? meta : undefined,
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
        if (cached && meta) {
          const entry: RepodataEntry = {
            url,
            key,
            bytes: cached,
            source: 'offline',
            etag: meta.etag,
            lastModified: meta.lastModified,
          };
          this.remember(key, entry);
          return entry;
        }
        // channelGet's message names the channel, host, port and what went wrong.
        throw error;
      }
      if (response.status !== 404) break;
    }
    if (!response) throw new MissingSubdirError(channel.publicUrl, subdir);
    const final: ChannelAnswer = response;
    if (final.status === 304 && cached && meta) {
      const entry: RepodataEntry = {
        url,
        key,
        bytes: cached,
        source: 'revalidated',
        etag: meta.etag,
        lastModified: meta.lastModified,
      };
      this.remember(key, entry);
      return entry;
    }
    if (final.status === 404) throw new MissingSubdirError(channel.publicUrl, subdir);
    if (final.status === 401 || final.status === 403) {
      throw new CondenseError(
        'UNAUTHORIZED',
        `channel ${channel.publicUrl} refused access (${final.status}): check the channel token`,
        { url },
      );
    }
    if (!final.ok) {
      throw new CondenseError(
        'CHANNEL_UNREACHABLE',
        `channel ${channel.publicUrl} answered ${final.status} for ${url}`,
        { url, status: final.status },
      );
    }
    const bytes = checkRepodata(
      variant === 'zst' ? decompressRepodata(final.body, channel, subdir) : final.body,
      channel,
      subdir,
    );
    // Written in the background: the lock does not wait for 240 MB to reach the disk (the process
    // stays alive until the writes end; the meta file goes last, so a half-written cache is never used).
    const etag = final.headers.get('etag') ?? undefined;
    const lastModified = final.headers.get('last-modified') ?? undefined;
    this.background(async () => {
      await mkdir(join(this.options.dir, 'repodata'), { recursive: true });
      await writeFileAtomic(paths.data, bytes);
      const meta: CacheMeta = {
        url,
        variant,
        etag,
        lastModified,
        fetchedAt: new Date().toISOString(),
      };
      await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2));
    });
    const entry: RepodataEntry = { url, key, bytes, source: 'downloaded', etag, lastModified };
    this.remember(key, entry);
    return entry;
  }

  /**
   * The by-name index of an entry, kept in memory while its bytes stay the same and on disk next to
   * the cached repodata (checked against its size and ETag), so a new process does not rebuild it.
   */
  async index(entry: RepodataEntry): Promise<RepodataIndex> {
    const known = this.indexes.get(entry.key);
    if (known?.bytes === entry.bytes) return known;
    const path = this.paths(entry.key).index;
    const validator = `${entry.etag ?? ''}|${entry.lastModified ?? ''}`;
    let index = await readFile(path).then(
      (data) => deserializeIndex(data, entry.bytes, validator),
      () => undefined,
    );
    if (!index) {
      index = indexRepodata(entry.bytes);
      const built = index;
      this.background(async () => {
        await mkdir(join(this.options.dir, 'repodata'), { recursive: true });
        await writeFileAtomic(path, serializeIndex(built, validator));
      });
    }
    this.indexes.set(entry.key, index);
    return index;
  }
}

/** The parts of repodata.json Condense reads. */
export interface RepodataRecord {
  name: string;
  version: string;
  build: string;
  build_number: number;
  depends?: string[];
  md5?: string;
  sha256?: string;
  size?: number;
  subdir?: string;
  summary?: string;
}
