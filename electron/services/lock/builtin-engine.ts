import type * as Rattler from '@conda-org/rattler';
import type { Platform } from '@conda-org/rattler';

import { CondenseError } from '../../../shared/api/errors';
import type { VirtualPackage } from '../../../shared/conda/input-hash';
import type { LockedPackage } from '../../../shared/conda/lock-model';
import type { MatchSpec } from '../../../shared/conda/match-spec';
import { canonicalChannel, solverSpec } from '../../../shared/conda/match-spec';
import { dependencyName } from '../../../shared/conda/match-spec';
import type { ChannelRef } from '../channels/channel-url';
import { stripAuth } from '../channels/channel-url';
import type { RepodataCache } from '../channels/repodata-cache';
import { MissingSubdirError } from '../channels/repodata-cache';
import {
  filteredRepodata,
  indexRepodata,
  recordDepends,
  type RepodataIndex,
} from '../channels/repodata-index';
import { proxyPath, startRepodataProxy } from '../channels/repodata-proxy';
import { getShardIndex, ShardedRepodata } from '../channels/sharded-repodata';
import { solverError } from './solver-errors';

export interface BuiltinSolveOptions {
  channels: ChannelRef[];
  specs: MatchSpec[];
  platform: string;
  virtualPackages: VirtualPackage[];
  /** Packages of the previous lock the solver should keep when they still fit. */
  preferred: LockedPackage[];
  cache: RepodataCache;
  /** Ask the channels now, however fresh the cached repodata is (`condense lock --refresh`). */
  refresh?: boolean;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

interface Fetched {
  channel: ChannelRef;
  subdir: string;
  /** repodata.json indexed by name; never parsed whole (conda-forge's linux-64 is ~240 MB). */
  index?: RepodataIndex;
  /**
   * Records read by name on demand: CEP 16 shards, or the disk cache through its index. `index`
   * then covers only the names fetched so far.
   */
  partial?: PartialRepodata;
}

/** A subdir whose records are fetched by name (shards, or the cached file's index). */
interface PartialRepodata {
  has(name: string): boolean;
  fetched(name: string): boolean;
  fetch(names: string[], signal?: AbortSignal): Promise<void>;
  repodata(): Buffer;
}

let rattler: Promise<typeof Rattler> | undefined;

/**
 * Lets a door load rattler its own way before the first solve. The CLI (an ES module) takes the
 * CommonJS build, which reads the 3 MB .wasm file, rather than the ES build, whose WASM is 4 MB of
 * base64 source to compile and decode: about 40 ms less per `condense lock`.
 */
export function useRattler(load: () => typeof Rattler): void {
  rattler ??= Promise.resolve()
    .then(load)
    .catch(() => import('@conda-org/rattler'));
}

/** rattler, loaded with the first solve (a lock from a pip-only change never needs it). */
function loadRattler(): Promise<typeof Rattler> {
  return (rattler ??= import('@conda-org/rattler'));
}

const EMPTY_INDEX: RepodataIndex = { bytes: Buffer.alloc(0), byName: new Map(), records: 0 };

const EMPTY = (subdir: string) =>
  Buffer.from(JSON.stringify({ info: { subdir }, packages: {}, 'packages.conda': {} }));

/**
 * Names reachable from the specs through `depends` in any channel: the only records the solver can
 * pick. Handing rattler just these (a few thousand records instead of conda-forge's 465,000) is what
 * makes a lock fast; it is the same cut sharded repodata (CEP 16) makes.
 */
export function reachableNames(
  roots: string[],
  indexes: RepodataIndex[],
  /** Dependency names already worked out, by index position and name (records of a name never change within a lock). */
  known: Map<string, string[]> = new Map(),
): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    indexes.forEach((index, position) => {
      const key = `${position}:${name}`;
      let next = known.get(key);
      if (!next) {
        const names = new Set<string>();
        for (const entry of index.byName.get(name) ?? [])
          for (const dependency of recordDepends(index, entry))
            names.add(dependencyName(dependency));
        next = [...names];
        // A name not in this index yet (a shard still to fetch) is worked out again later.
        if (index.byName.has(name)) known.set(key, next);
      }
      for (const dependency of next) {
        if (dependency.startsWith('__') || seen.has(dependency)) continue;
        seen.add(dependency);
        queue.push(dependency);
      }
    });
  }
  return seen;
}

/** Fetches (or revalidates) each channel's platform and noarch repodata. */
export async function fetchChannelRepodata(
  options: Pick<
    BuiltinSolveOptions,
    'channels' | 'platform' | 'cache' | 'refresh' | 'signal' | 'progress'
  >,
): Promise<Fetched[]> {
  // Every (channel, subdir) at once: downloads overlap with indexing. Results are read in order, so
  // the error reported is the same whichever request finishes first.
  const jobs = options.channels.flatMap((channel) =>
    [options.platform, 'noarch'].map((subdir) => ({
      channel,
      subdir,
      result: (async (): Promise<Pick<Fetched, 'index' | 'partial'>> => {
        const refresh = { refresh: options.refresh ?? false };
        const shards = await getShardIndex(options.cache, channel, subdir, options.signal, refresh);
        if (shards) {
          options.progress?.(
            `repodata ${channel.publicUrl}/${subdir}: sharded (${shards.shards.size} names)`,
          );
          return { partial: new ShardedRepodata(options.cache.dir, shards) };
        }
        const found = await options.cache.records(channel, subdir, options.signal, refresh);
        options.progress?.(`repodata ${channel.publicUrl}/${subdir}: ${found.source}`);
        return found.disk ? { partial: found.disk } : { index: found.index! };
      })(),
    })),
  );
  const settled = await Promise.allSettled(jobs.map((j) => j.result));
  const fetched: Fetched[] = [];
  settled.forEach((outcome, i) => {
    const { channel, subdir } = jobs[i]!;
    if (outcome.status === 'fulfilled') {
      fetched.push({ channel, subdir, ...outcome.value });
      return;
    }
    const error: unknown = outcome.reason;
    if (!(error instanceof MissingSubdirError)) throw error;
    // conda requires every channel to have noarch; a missing platform subdir is fine if another channel has it.
    if (subdir === 'noarch') {
      throw new CondenseError(
        'NOT_FOUND',
        `channel ${channel.publicUrl} has no "noarch" subdir (${channel.publicUrl}/noarch/repodata.json: 404); a conda channel must have one: check the channel URL`,
        { channel: channel.publicUrl, subdir },
      );
    }
    options.progress?.(`repodata ${channel.publicUrl}/${subdir}: none (404)`);
    fetched.push({ channel, subdir });
  });
  if (fetched.every((f) => f.subdir === 'noarch' || (!f.index && !f.partial))) {
    throw new CondenseError(
      'NOT_FOUND',
      `no channel has a "${options.platform}" subdir (${options.channels.map((c) => c.publicUrl).join(', ')}): choose another platform or add a channel that builds for it`,
      { platform: options.platform },
    );
  }
  return fetched;
}

/** Solves one platform with rattler and returns the lock's packages (virtual packages left out). */
export async function solveBuiltin(options: BuiltinSolveOptions): Promise<LockedPackage[]> {
  return solvePrepared(await prepareBuiltin(options));
}

/** One platform's solve, ready to run: the records rattler may pick, served from memory. */
export interface PreparedSolve {
  options: BuiltinSolveOptions;
  solveSpecs: string[];
  files: Map<string, Buffer>;
  /** Every subdir came from the disk cache (or memory): nothing was downloaded. */
  fromDisk: boolean;
}

/**
 * Everything before the solve: fetching (or reading) each channel's repodata, the names reachable
 * from the specs and their records. Platforms of one lock can prepare together (their disk reads
 * overlap) and solve one after another.
 */
export async function prepareBuiltin(options: BuiltinSolveOptions): Promise<PreparedSolve> {
  const { platform, specs } = options;
  const fetched = await fetchChannelRepodata(options);
  const fromDisk = fetched.every((f) => f.partial !== undefined || f.index === undefined);

  const unknown = specs.filter(
    (s) => !fetched.some((f) => f.index?.byName.has(s.name) || f.partial?.has(s.name)),
  );
  if (unknown.length > 0) {
    throw new CondenseError(
      'PACKAGE_NOT_FOUND',
      `no package named ${unknown.map((s) => `"${s.name}"`).join(', ')} in ${options.channels.map((c) => c.publicUrl).join(', ')} for ${platform} or noarch: check the spelling or add the channel that has it`,
      { packages: unknown.map((s) => s.name), platform },
    );
  }
  const roots = specs.map((s) => s.name);
  // Every subdir keeps its position even before it has an index, so `known` keys stay stable.
  const indexes = () => fetched.map((f) => f.index ?? EMPTY_INDEX);
  const known = new Map<string, string[]>();
  let names = reachableNames(roots, indexes(), known);
  // Shards and disk indexes: fetch the records of newly reachable names until the set stops
  // growing (one round per level of the dependency graph; the subdirs of a round in parallel).
  for (;;) {
    const grown = await Promise.all(
      fetched.map(async (f) => {
        const partial = f.partial;
        if (!partial) return false;
        const missing = [...names].filter((n) => partial.has(n) && !partial.fetched(n));
        // A reader shared with an earlier lock (or platform) may hold every name already: it still
        // needs this lock's index once.
        if (missing.length === 0 && f.index) return false;
        if (missing.length > 0) await partial.fetch(missing, options.signal);
        f.index = indexRepodata(partial.repodata());
        return true;
      }),
    );
    if (!grown.includes(true)) break;
    names = reachableNames(roots, indexes(), known);
  }
  // `channel::name` is enforced here, by serving `name` only from that channel (and subdir): passing
  // channel-qualified specs to rattler's WASM build makes it look up a current directory and panic.
  const restricted = new Map<string, { channel: number; subdir?: string }>();
  const solveSpecs = specs.map((s) => {
    if (!s.channel) return solverSpec(s);
    const channel = options.channels.findIndex(
      (c) => canonicalChannel(c.name) === s.channel || canonicalChannel(c.publicUrl) === s.channel,
    );
    if (channel < 0) {
      throw new CondenseError(
        'INVALID_INPUT',
        `"${s.raw}" names channel "${stripAuth(s.channel)}", which the lock does not search: add it to environment.yml's channels`,
      );
    }
    restricted.set(s.name, { channel, ...(s.subdir ? { subdir: s.subdir } : {}) });
    return solverSpec(s);
  });
  const files = new Map<string, Buffer>();
  options.channels.forEach((channel, index) => {
    for (const subdir of [platform, 'noarch']) {
      const f = fetched.find((x) => x.channel === channel && x.subdir === subdir);
      const allowed = [...names].filter((name) => {
        const only = restricted.get(name);
        return !only || (only.channel === index && (!only.subdir || only.subdir === subdir));
      });
      files.set(
        proxyPath(index, subdir),
        f?.index ? filteredRepodata(f.index, allowed, subdir) : EMPTY(subdir),
      );
    }
  });
  return { options, solveSpecs, files, fromDisk };
}

/** Runs rattler on a prepared platform and returns the lock's packages (virtual packages left out). */
export async function solvePrepared(prepared: PreparedSolve): Promise<LockedPackage[]> {
  const { options, solveSpecs, files } = prepared;
  const { platform, specs } = options;
  const proxy = await startRepodataProxy(files);
  try {
    const channelUrls = options.channels.map((_, index) => proxy.channelUrl(index));
    const locked = [
      ...options.preferred
        .map((p) => lockedInput(p, options.channels, channelUrls))
        .filter((p) => p !== undefined),
      ...options.virtualPackages.map((v) => ({
        url: `${channelUrls[0]}/${platform}/${v.name}-${v.version}-${v.build}.conda`,
        packageName: v.name,
        version: v.version,
        build: v.build,
        buildNumber: 0,
        filename: `${v.name}-${v.version}-${v.build}.conda`,
        subdir: platform,
        depends: [],
      })),
    ];
    options.progress?.(`solving ${specs.length} specs for ${platform}`);
    const { simpleSolve } = await loadRattler();
    let solved: Awaited<ReturnType<typeof simpleSolve>>;
    try {
      solved = await simpleSolve(solveSpecs, channelUrls, [platform as Platform, 'noarch'], locked);
    } catch (thrown) {
      throw solverError(thrown, platform, channelUrls, options.channels);
    }
    if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    const result: LockedPackage[] = [];
    for (const s of solved) {
      if (s.packageName.startsWith('__')) continue;
      let url = s.url;
      channelUrls.forEach((proxyUrl, index) => {
        if (url.startsWith(`${proxyUrl}/`))
          url = options.channels[index]!.publicUrl + url.slice(proxyUrl.length);
      });
      if (!s.md5) {
        throw new CondenseError(
          'INVALID_INPUT',
          `${s.filename} has no md5 in the channel's repodata; conda-lock requires one`,
        );
      }
      result.push({
        name: s.packageName,
        version: s.version,
        build: s.build,
        buildNumber: Number(s.buildNumber ?? 0),
        platform,
        subdir: s.subdir ?? platform,
        url: stripAuth(url),
        md5: s.md5,
        ...(s.sha256 ? { sha256: s.sha256 } : {}),
        depends: s.depends ?? [],
        ...(s.size !== undefined ? { size: Number(s.size) } : {}),
        manager: 'conda',
        category: 'main',
        optional: false,
      });
    }
    // Sorted by name so the topological order written later does not depend on rattler's order.
    return result.sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    await proxy.close();
  }
}

/** A previous lock's package as rattler's `locked_packages` entry, on the proxied URL. */
function lockedInput(p: LockedPackage, channels: ChannelRef[], proxyUrls: string[]) {
  const index = channels.findIndex((c) => p.url.startsWith(`${c.publicUrl}/`));
  if (index < 0) return undefined;
  return {
    url: proxyUrls[index]! + p.url.slice(channels[index]!.publicUrl.length),
    packageName: p.name,
    version: p.version,
    build: p.build,
    buildNumber: p.buildNumber,
    filename: p.url.split('/').at(-1)!,
    md5: p.md5 || undefined,
    sha256: p.sha256,
    subdir: p.subdir,
    // Empty depends are filled in by rattler from repodata (same URL).
    depends: p.depends,
  };
}
