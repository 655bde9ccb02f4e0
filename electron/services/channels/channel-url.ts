import { homedir } from 'node:os';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { redact } from '../../../shared/format/redact';

/** A channel as Condense uses it: where to fetch from, and what may be written into a lockfile. */
export interface ChannelRef {
  /** As written in environment.yml (`conda-forge`, a URL). */
  name: string;
  /** URL used for requests; may carry a token or credentials. */
  fetchUrl: string;
  /** URL without credentials or `/t/<token>/`: the only form that reaches a lockfile or a log. */
  publicUrl: string;
}

/** Where channel names without a scheme live (conda's `channel_alias`). */
export function channelAlias(): string {
  return (process.env.CONDENSE_CHANNEL_ALIAS ?? 'https://conda.anaconda.org').replace(/\/+$/, '');
}

/** Removes `user:pass@` and conda's `/t/<token>/` path segment. */
export function stripAuth(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  parsed.username = '';
  parsed.password = '';
  parsed.pathname = parsed.pathname.replace(/\/t\/[^/]+(?=\/|$)/, '');
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * Resolves environment.yml channels to URLs. `nodefaults` only tells conda not to add its defaults,
 * which Condense never adds, so it is dropped here.
 */
export function resolveChannels(channels: string[]): ChannelRef[] {
  const refs: ChannelRef[] = [];
  for (const name of channels) {
    if (name === 'nodefaults') continue;
    if (name === 'defaults') {
      throw new CondenseError(
        'INVALID_INPUT',
        'the "defaults" channel needs Anaconda\'s terms of service and is not supported: list conda-forge (or your own channel) instead',
      );
    }
    let fetchUrl: string;
    if (/^https?:\/\//.test(name)) fetchUrl = name.replace(/\/+$/, '');
    else if (/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name))
      fetchUrl = `${channelAlias()}/${name}`;
    else {
      throw new CondenseError(
        'INVALID_INPUT',
        `channel "${redact(name)}" is neither a channel name nor an http(s) URL`,
      );
    }
    refs.push({ name: stripAuth(name), fetchUrl, publicUrl: stripAuth(fetchUrl) });
  }
  if (refs.length === 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      'environment.yml lists no channels: add one, e.g. "channels: [conda-forge]"',
    );
  }
  return refs;
}

/** `$CONDENSE_CACHE_DIR`, else `$XDG_CACHE_HOME/condense`, else `~/.cache/condense`. */
export function cacheDir(): string {
  if (process.env.CONDENSE_CACHE_DIR) return process.env.CONDENSE_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'condense');
  return join(homedir(), '.cache', 'condense');
}

/** A request for `url`, with credentials moved into an Authorization header (fetch refuses them in URLs). */
export function authorized(url: string): { target: URL; headers: Record<string, string> } {
  const target = new URL(url);
  const headers: Record<string, string> = {};
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  return { target, headers };
}
