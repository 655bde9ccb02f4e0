import { Version } from '@conda-org/rattler';

import type { PackageSearchResult } from '../../../shared/api/lock';
import type { ChannelRef } from './channel-url';
import type { RepodataCache, RepodataRecord } from './repodata-cache';
import { MissingSubdirError } from './repodata-cache';

export interface SearchOptions {
  query: string;
  channels: ChannelRef[];
  platform: string;
  cache: RepodataCache;
  limit?: number;
  signal?: AbortSignal;
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
    const response = await fetch(`${channel.fetchUrl}/channeldata.json`, {
      signal: signal ?? AbortSignal.timeout(10_000),
    });
    if (!response.ok) return {};
    const data = (await response.json()) as { packages?: Record<string, { summary?: string }> };
    return Object.fromEntries(
      Object.entries(data.packages ?? {}).flatMap(([n, p]) => (p.summary ? [[n, p.summary]] : [])),
    );
  } catch {
    return {};
  }
}

/**
 * Package names matching `query` (case-insensitive substring) across the channels, exact match first,
 * then prefix matches, then the rest, each group by name.
 */
export async function searchPackages(options: SearchOptions): Promise<PackageSearchResult[]> {
  const query = options.query.trim().toLowerCase();
  const found = new Map<
    string,
    { records: (RepodataRecord & { channel: string; subdir: string })[]; channels: Set<string> }
  >();
  const summaryByName: Record<string, string> = {};
  for (const channel of options.channels) {
    for (const subdir of [options.platform, 'noarch']) {
      let repodata;
      try {
        repodata = options.cache.parse(await options.cache.get(channel, subdir, options.signal));
      } catch (error) {
        if (error instanceof MissingSubdirError) continue;
        throw error;
      }
      for (const record of [
        ...Object.values(repodata.packages ?? {}),
        ...Object.values(repodata['packages.conda'] ?? {}),
      ]) {
        if (query !== '' && !record.name.includes(query)) continue;
        const entry = found.get(record.name) ?? { records: [], channels: new Set<string>() };
        entry.records.push({ ...record, channel: channel.publicUrl, subdir });
        entry.channels.add(channel.publicUrl);
        found.set(record.name, entry);
      }
    }
    if (found.size > 0)
      Object.assign(summaryByName, {
        ...(await summaries(channel, options.signal)),
        ...summaryByName,
      });
  }
  const rank = (name: string) => (name === query ? 0 : name.startsWith(query) ? 1 : 2);
  const names = [...found.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, options.limit ?? 50);
  return names.map((name) => {
    const entry = found.get(name)!;
    const versions = [...new Set(entry.records.map((r) => r.version))].sort((a, b) =>
      compareVersions(b, a),
    );
    const newest = versions[0];
    const builds = entry.records
      .filter((r) => r.version === newest)
      .map((r) => ({ build: r.build, subdir: r.subdir, channel: r.channel }))
      .filter(
        (b, i, all) =>
          all.findIndex(
            (x) => x.build === b.build && x.subdir === b.subdir && x.channel === b.channel,
          ) === i,
      )
      .sort((a, b) => a.build.localeCompare(b.build));
    const summary = summaryByName[name] ?? entry.records.find((r) => r.summary)?.summary;
    return {
      name,
      ...(summary ? { summary } : {}),
      versions,
      builds,
      channels: [...entry.channels],
    };
  });
}
