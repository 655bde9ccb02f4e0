import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { StreamingAtomicFile } from '../fs/streaming-atomic-file';
import { type ChannelAnswer, channelGet, type ChannelGetOptions } from './channel-fetch';
import { type ChannelRef } from './channel-url';
import { checkAndIndex, decompressRepodata, repodataMaxBytes } from './repodata-check';
import { DiskIndexTable, DiskRepodata } from './repodata-disk-index';
import { isFresh, ttlFromEnv } from './repodata-freshness';
import {
  deserializeIndex,
  indexRepodata,
  type RepodataIndex,
  serializeIndex,
} from './repodata-index';
import { RepodataScan } from './repodata-scan';
import type { ShardIndex } from './sharded-repodata';

/** One subdir's repodata.json as fetched or cached, with how it was obtained. */
export interface RepodataEntry {
  /** `<publicUrl>/<subdir>/repodata.json` (no credentials). */
  url: string;
  /** Cache key: a hash of the full channel identity (fetch URL, token included) and subdir. */
  key: string;
  bytes: Buffer;
  /** `downloaded` (200), `revalidated` (304), `cached` (disk copy still fresh), `memory` (checked this session), `offline` (upstream unreachable, disk copy used). */
  source: 'downloaded' | 'revalidated' | 'cached' | 'memory' | 'offline';
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
  /** When the channel last answered 200 or 304 (ms), and its Cache-Control then: freshness. */
  checkedAt?: number;
  cacheControl?: string;
}

/** A copy on disk the lock may use: fresh, just revalidated (304), or the channel is unreachable. */
interface DiskCopy {
  kind: 'disk';
  url: string;
  key: string;
  source: 'cached' | 'revalidated' | 'offline' | 'memory';
  meta: CacheMeta;
  paths: { data: string; meta: string; index: string };
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
  /** Freshness override in seconds (see `repodata-freshness.ts`); default `CONDENSE_REPODATA_TTL`. */
  ttlSeconds?: number;
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

  /** The freshness override in seconds, if any (see `repodata-freshness.ts`). */
  get ttlSeconds(): number | undefined {
    return this.options.ttlSeconds ?? ttlFromEnv();
  }

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
    const timer = setTimeout(() => this.forget(key), this.options.keepMs ?? 10 * 60_000);
    timer.unref();
    this.evictions.set(key, timer);
  }

  private forget(key: string): void {
    this.handedOver.delete(key);
    this.memory.delete(key);
    this.indexes.delete(key);
    clearTimeout(this.evictions.get(key));
    this.evictions.delete(key);
  }

  private paths(key: string) {
    const base = join(this.options.dir, 'repodata', key);
    return { data: `${base}.json`, meta: `${base}.meta.json`, index: `${base}.index.bin` };
  }

  private readonly pending = new Set<Promise<void>>();

  /** Runs a cache write without making the caller wait; `flush` waits for all of them. */
  private background(write: () => Promise<void>, key?: string): void {
    const promise = write()
      // The cache is best effort: a failed write only means the next lock downloads again.
      .catch(() => undefined)
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
    if (key) {
      const all = Promise.all([this.writing.get(key), promise]).then(() => undefined);
      this.writing.set(key, all);
      void all.then(() => {
        if (this.writing.get(key) === all) this.writing.delete(key);
      });
    }
  }

  /** Per cache key, when a download's bytes are with the kernel (written, maybe not yet fsynced). */
  private readonly handedOver = new Map<string, Promise<void>>();

  /** Cache writes in flight per cache key: a check waits for them rather than find half a copy. */
  private readonly writing = new Map<string, Promise<void>>();

  /**
   * Waits until the bytes of every download so far are with the kernel (written, perhaps not yet
   * fsynced), so the memory they hold can go before the next download starts.
   */
  async handedOverAll(): Promise<void> {
    await Promise.all([...this.handedOver.values()]);
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
    onBody?: ChannelGetOptions['onBody'],
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
        ...(onBody ? { onBody } : {}),
        ...(signal ? { signal } : {}),
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
  }

  /**
   * A subdir's repodata.json: from memory, from disk while fresh (see `repodata-freshness.ts`), else
   * revalidated or downloaded. `refresh` asks the channel whatever the freshness says.
   */
  async get(
    channel: ChannelRef,
    subdir: string,
    signal?: AbortSignal,
    options: { refresh?: boolean } = {},
  ): Promise<RepodataEntry> {
    const checked = await this.check(channel, subdir, signal, options.refresh ?? false);
    return checked.kind === 'entry' ? checked.entry : this.readDisk(checked);
  }

  /**
   * A subdir's records for a lock: the in-memory index when the bytes are in memory (just
   * downloaded, or this session), otherwise the cached file through its index on disk, read only for
   * the names the lock reaches (`DiskRepodata`), so a warm lock never loads conda-forge's 240 MB.
   */
  async records(
    channel: ChannelRef,
    subdir: string,
    signal?: AbortSignal,
    options: { refresh?: boolean } = {},
  ): Promise<{ source: RepodataEntry['source']; index?: RepodataIndex; disk?: DiskRepodata }> {
    const checked = await this.check(channel, subdir, signal, options.refresh ?? false);
    if (checked.kind === 'entry') {
      const { entry } = checked;
      const index = await this.index(entry);
      if (entry.source === 'downloaded') {
        // Only this lock holds the bytes (240 MB for conda-forge): once they are with the kernel,
        // later locks (and platforms) read the records they need from the disk copy, so a lock of
        // several platforms keeps about one subdir in memory at a time without waiting for fsync.
        void this.handedOver.get(entry.key)?.then(() => {
          if (this.memory.get(entry.key)?.entry.bytes === entry.bytes) this.forget(entry.key);
        });
      }
      return { source: entry.source, index };
    }
    const validator = `${checked.meta.etag ?? ''}|${checked.meta.lastModified ?? ''}`;
    let table = this.tables.get(checked.key);
    if (table?.validator !== validator) {
      table = await DiskIndexTable.open(checked.paths.index, checked.paths.data, validator);
      if (table) {
        this.tables.set(checked.key, table);
        // An app left open lets go of the table (and the records read through it) `keepMs` after
        // opening it; the next lock opens it again (a few ms).
        const opened = table;
        const timer = setTimeout(
          () => {
            if (this.tables.get(checked.key) === opened) this.tables.delete(checked.key);
          },
          this.options.keepMs ?? 10 * 60_000,
        );
        timer.unref();
      }
    }
    if (table) {
      // One reader per copy: the platforms of a lock share noarch's records already read.
      let disk = this.readers.get(table);
      if (!disk) {
        disk = new DiskRepodata(table, subdir);
        this.readers.set(table, disk);
      }
      return { source: checked.source, disk };
    }
    // No index on disk yet (a cache written by an older Condense): build it once from the file.
    const entry = await this.readDisk(checked);
    return { source: checked.source, index: await this.index(entry) };
  }

  /** Disk copies checked this session (fresh or 304), by URL. */
  private readonly recentDisk = new Map<string, { copy: DiskCopy; checkedAt: number }>();

  private readonly readers = new WeakMap<DiskIndexTable, DiskRepodata>();

  /** Disk index tables opened this session, by URL (a few MB each, against 240 MB of repodata). */
  private readonly tables = new Map<string, DiskIndexTable>();

  /** The bytes of a disk copy (the one in memory when its validators match). */
  private async readDisk(checked: DiskCopy): Promise<RepodataEntry> {
    const remembered = this.memory.get(checked.key);
    const same =
      remembered !== undefined &&
      remembered.entry.etag === checked.meta.etag &&
      remembered.entry.lastModified === checked.meta.lastModified;
    const bytes = same ? remembered.entry.bytes : await readFile(checked.paths.data);
    const entry: RepodataEntry = {
      url: checked.url,
      key: checked.key,
      bytes,
      source: checked.source,
      etag: checked.meta.etag,
      lastModified: checked.meta.lastModified,
    };
    this.remember(checked.key, entry);
    return entry;
  }

  /** Decides where the repodata comes from, asking the channel only when the copies are not fresh. */
  private async check(
    channel: ChannelRef,
    subdir: string,
    signal: AbortSignal | undefined,
    refresh: boolean,
  ): Promise<{ kind: 'entry'; entry: RepodataEntry } | DiskCopy> {
    const url = `${channel.publicUrl}/${subdir}/repodata.json`;
    const key = channelKey(channel, subdir);
    const remembered = this.memory.get(key);
    if (
      !refresh &&
      remembered &&
      Date.now() - remembered.checkedAt < (this.options.freshMs ?? 60_000)
    ) {
      this.remember(key, remembered.entry, remembered.checkedAt);
      return { kind: 'entry', entry: { ...remembered.entry, source: 'memory' } };
    }
    await this.writing.get(key);
    const recent = this.recentDisk.get(key);
    if (!refresh && recent && Date.now() - recent.checkedAt < (this.options.freshMs ?? 60_000))
      return { ...recent.copy, source: 'memory' };
    const paths = this.paths(key);
    const meta = await readFile(paths.meta, 'utf8').then(
      (text) => JSON.parse(text) as CacheMeta,
      () => undefined,
    );
    const copy =
      meta &&
      (await stat(paths.data).then(
        (s) => s.isFile(),
        () => false,
      ))
        ? meta
        : undefined;
    const disk = (source: DiskCopy['source'], m: CacheMeta): DiskCopy => {
      const found: DiskCopy = { kind: 'disk', url, key, source, meta: m, paths };
      // Like the bytes in memory: a second lock this session does not ask again for a while.
      if (source !== 'offline') this.recentDisk.set(key, { copy: found, checkedAt: Date.now() });
      return found;
    };
    const policy = { ttlSeconds: this.ttlSeconds, refresh };
    if (copy && isFresh(copy, policy)) return disk('cached', copy);
    // repodata.json.zst is about a fifth of the plain file (conda-forge serves it); a channel that
    // has none is remembered as plain, so revalidation costs one request.
    const variants: Variant[] = copy?.variant === 'json' ? ['json'] : ['zst', 'json'];
    let response: ChannelAnswer | undefined;
    let variant: Variant = 'json';
    // The plain file goes to disk while it downloads (decoded .zst is written once decoded): by the
    // time it is checked it is written too, and a lock of several platforms does not wait for it.
    let streamed: StreamingAtomicFile | undefined;
    // It is checked as it arrives too: the scan uses the time spent waiting for the next bytes.
    let scan: RepodataScan | undefined;
    for (variant of variants) {
      const conditional = copy !== undefined && (copy.variant ?? 'json') === variant;
      const file =
        variant === 'json' ? new StreamingAtomicFile(paths.data, 0o644, true) : undefined;
      const scanning = variant === 'json' ? new RepodataScan(true) : undefined;
      try {
        response = await this.request(
          channel,
          subdir,
          variant,
          conditional ? copy : undefined,
          signal,
          (chunk: Uint8Array, sofar?: Buffer) => {
            file?.write(chunk);
            if (sofar) scanning?.feed(sofar);
          },
        );
        if (response.status === 200) {
          streamed = file;
          scan = scanning;
        } else if (file) this.background(() => file.discard());
      } catch (error) {
        if (file) this.background(() => file.discard());
        if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
        if (copy) return disk('offline', copy);
        // channelGet's message names the channel, host, port and what went wrong.
        throw error;
      }
      if (response.status !== 404) break;
    }
    if (!response) throw new MissingSubdirError(channel.publicUrl, subdir);
    const final: ChannelAnswer = response;
    const cacheControl = final.headers.get('cache-control') ?? undefined;
    if (final.status === 304 && copy) {
      // Fresh again from now: the next lock within the window asks nobody.
      const checked: CacheMeta = { ...copy, checkedAt: Date.now(), cacheControl };
      this.background(() => writeFileAtomic(paths.meta, JSON.stringify(checked, null, 2)), key);
      return disk('revalidated', checked);
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
    let bytes: Buffer;
    let built: RepodataIndex;
    try {
      bytes = variant === 'zst' ? decompressRepodata(final.body, channel, subdir) : final.body;
      // Checked and indexed in one pass over the bytes; the index is written beside the file below.
      built = checkAndIndex(bytes, channel, subdir, scan);
    } catch (error) {
      const file = streamed;
      if (file) this.background(() => file.discard());
      throw error;
    }
    const etag = final.headers.get('etag') ?? undefined;
    const lastModified = final.headers.get('last-modified') ?? undefined;
    // Decoded .zst goes the same way, in one piece.
    const file = streamed ?? new StreamingAtomicFile(paths.data, 0o644, true);
    if (!streamed) file.write(bytes);
    this.writeDownload(key, file, {
      url,
      variant,
      etag,
      lastModified,
      fetchedAt: new Date().toISOString(),
      checkedAt: Date.now(),
      cacheControl,
    });
    this.handedOver.set(key, file.written());
    const entry: RepodataEntry = { url, key, bytes, source: 'downloaded', etag, lastModified };
    this.remember(key, entry);
    this.storeIndex(entry, built);
    return { kind: 'entry', entry };
  }

  /**
   * Writes a download to the cache in the background: the lock does not wait for 240 MB to reach
   * the disk (the process stays alive until the writes end; the meta file goes last, so a
   * half-written cache is never used). A method of its own so no closure of `check` keeps the
   * bytes alive: the file lets go of them once written.
   */
  private writeDownload(key: string, file: StreamingAtomicFile, meta: CacheMeta): void {
    const paths = this.paths(key);
    this.background(async () => {
      await file.commit();
      await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2));
      // Still "checked this session" for the next lock, now through the disk copy.
      const copy: DiskCopy = { kind: 'disk', url: meta.url, key, source: 'memory', meta, paths };
      this.recentDisk.set(key, { copy, checkedAt: meta.checkedAt! });
    }, key);
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
      this.storeIndex(entry, index);
    } else this.indexes.set(entry.key, index);
    return index;
  }

  /** Keeps an index built for an entry's bytes in memory, and writes it beside the cached file. */
  private storeIndex(entry: RepodataEntry, index: RepodataIndex): void {
    this.indexes.set(entry.key, index);
    const validator = `${entry.etag ?? ''}|${entry.lastModified ?? ''}`;
    const { byName, info, records } = index;
    const shape = { byName, info, records, bytes: { length: index.bytes.length } };
    const path = this.paths(entry.key).index;
    this.background(async () => {
      await mkdir(join(this.options.dir, 'repodata'), { recursive: true });
      await writeFileAtomic(path, serializeIndex(shape, validator));
    }, entry.key);
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
