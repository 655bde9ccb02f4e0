import { Version } from '@conda-org/rattler';

import { CondenseError } from '../../../shared/api/errors';
import type { PackageSearchResult } from '../../../shared/api/lock';
import { channelGet, channelTimeoutMs } from './channel-fetch';
import type { ChannelRef } from './channel-url';
import type { RepodataCache, RepodataRecord } from './repodata-cache';
import { MissingSubdirError } from './repodata-cache';
import type { RepodataIndex } from './repodata-index';

export interface SearchOptions {
  query: string;
  channels: ChannelRef[];
  platform: string;
  cache: RepodataCache;
  limit?: number;
  signal?: AbortSignal;
  /**
   * Called for a channel that could not be read; the search goes on with the others. Without it a
   * failing channel fails the search. When every channel fails, the first error is thrown anyway.
   */
  onUnreachable?: (channel: string, error: unknown) => void;
}

/** Compares conda versions with rattler's rules (1.10 > 1.9, 1.0a1 < 1.0); unparsable ones sort last. */
export function compareVersions(a: string, b: string): number {
  try {
    using left = new Version(a);
    using right = new Version(b);
    return left.compare(right);
  } catch {
    return a.localeCompare(b);
  }
}

async function summaries(
  channel: ChannelRef,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  // channeldata.json carries summaries; many channels (and all synthetic ones) lack it, so it is optional.
  try {
    const response = await channelGet(`${channel.fetchUrl}/channeldata.json`, {
      what: `channel ${channel.publicUrl}`,
      timeoutMs: Math.min(channelTimeoutMs(), 10_000),
      maxBytes: 64 * 1024 * 1024,
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) return {};
    const data = JSON.parse(response.body.toString('utf8')) as {
      packages?: Record<string, { summary?: string }>;
    };
    return Object.fromEntries(
      Object.entries(data.packages ?? {}).flatMap(([n, p]) => (p.summary ? [[n, p.summary]] : [])),
    );
  } catch {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    return {};
  }
}

/**
 * Package names matching `query` (case-insensitive substring) across the channels, exact match first,
 * then prefix matches, then the rest, each group by name.
 */
export async function searchPackages(options: SearchOptions): Promise<PackageSearchResult[]> {
  const query = options.query.trim().toLowerCase();
  // Names come from the byte index; only the shown names' records are parsed (conda-forge's
  // repodata is too big to parse whole for a search box).
  const matches = new Map<
    string,
    { index: RepodataIndex; entries: number[][]; channel: string; subdir: string }[]
  >();
  let failures = 0;
  let firstError: unknown;
  for (const channel of options.channels) {
    for (const subdir of [options.platform, 'noarch']) {
      let index: RepodataIndex;
      try {
        index = await options.cache.index(await options.cache.get(channel, subdir, options.signal));
      } catch (error) {
        if (error instanceof MissingSubdirError) continue;
        if (!options.onUnreachable || options.signal?.aborted) throw error;
        options.onUnreachable(channel.publicUrl, error);
        firstError ??= error;
        failures += 1;
        // One report per channel: its noarch would fail the same way.
        break;
      }
      for (const [name, entries] of index.byName) {
        if (query !== '' && !name.includes(query)) continue;
        const list = matches.get(name) ?? [];
        list.push({ index, entries, channel: channel.publicUrl, subdir });
        matches.set(name, list);
      }
    }
  }
  if (failures > 0 && failures === options.channels.length) throw firstError;
  const rank = (name: string) => (name === query ? 0 : name.startsWith(query) ? 1 : 2);
  const names = [...matches.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, options.limit ?? 50);
  const summaryByName: Record<string, string> = {};
  if (names.length > 0) {
    for (const channel of [...options.channels].reverse())
      Object.assign(summaryByName, await summaries(channel, options.signal));
  }
  return names.map((name) => {
    const sources = matches.get(name)!;
    const records = sources.flatMap((source) =>
      source.entries.map((e) => ({
        ...(JSON.parse(source.index.bytes.toString('utf8', e[2], e[3])) as RepodataRecord),
        channel: source.channel,
        subdir: source.subdir,
      })),
    );
    const versions = [...new Set(records.map((r) => r.version))].sort((a, b) =>
      compareVersions(b, a),
    );
    const newest = versions[0];
    const builds = records
      .filter((r) => r.version === newest)
      .map((r) => ({ build: r.build, subdir: r.subdir, channel: r.channel }))
      .filter(
        (b, i, all) =>
          all.findIndex(
            (x) => x.build === b.build && x.subdir === b.subdir && x.channel === b.channel,
          ) === i,
      )
      .sort((a, b) => a.build.localeCompare(b.build));
    const summary = summaryByName[name] ?? records.find((r) => r.summary)?.summary;
    return {
      name,
      ...(summary ? { summary } : {}),
      versions,
      builds,
      channels: [...new Set(sources.map((s) => s.channel))],
    };
  });
}
