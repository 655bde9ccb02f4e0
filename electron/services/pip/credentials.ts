import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { PipSection } from '../../../shared/pip/requirement';
import { PYPI_INDEX } from '../../../shared/pip/requirement';

/** One package index as pip is given it: the URL without credentials, and where they come from. */
export interface PipIndex {
  /** The URL with `${VAR}`s expanded and user:password removed: safe to write anywhere. */
  url: string;
  /** `host[:port]`, how error messages and the Dockerfile name the index. */
  host: string;
  /** Whether requests to it carry credentials (from the URL or ~/.netrc). */
  authenticated: boolean;
}

export interface NetrcEntry {
  machine: string;
  login: string;
  password: string;
}

/** What a lock or build needs for the pip section's indexes. Keep `netrc` out of every file and log. */
export interface PipIndexes {
  primary: PipIndex;
  extra: PipIndex[];
  /** netrc text with the credentials of the indexes that have them; empty when none do. */
  netrc: string;
  /** Every login and password, for redacting tool output. */
  secrets: string[];
}

/**
 * Replaces `${VAR}` from `env`, as conda-lock does; a missing variable names itself and the index.
 * Values in the user:password part are percent-encoded, so a token with `@` or `/` stays a password.
 */
export function expandVariables(text: string, env: NodeJS.ProcessEnv): string {
  const parts = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*@)(.*)$/.exec(text);
  if (parts)
    return `${parts[1]}${expandIn(parts[2]!, env, text, true)}${expandIn(parts[3]!, env, text, false)}`;
  return expandIn(text, env, text, false);
}

function expandIn(part: string, env: NodeJS.ProcessEnv, text: string, encode: boolean): string {
  return part.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      const shown = text.replace(/\/\/[^@/]*@/, '//');
      throw new CondenseError(
        'UNAUTHORIZED',
        `the pip index ${shown} uses \${${name}}, which is not set: export ${name} before locking (or put the index's credentials in ~/.netrc)`,
        { variable: name },
      );
    }
    return encode ? encodeURIComponent(value) : value;
  });
}

/** Parses netrc (`machine H login L password P`, `default`), as Python's netrc module reads it. */
export function parseNetrc(text: string): NetrcEntry[] {
  const tokens = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine' || token === 'default') {
      current = {
        machine: token === 'default' ? '' : (tokens[++i] ?? ''),
        login: '',
        password: '',
      };
      entries.push(current);
    } else if (current && (token === 'login' || token === 'password' || token === 'account')) {
      const value = tokens[++i] ?? '';
      if (token === 'login') current.login = value;
      if (token === 'password') current.password = value;
    }
  }
  return entries;
}

const quoteNetrc = (value: string) => {
  if (/\s|"/.test(value))
    throw new CondenseError(
      'INVALID_INPUT',
      'pip index credentials may not contain spaces or quotes',
    );
  return value;
};

export function formatNetrc(entries: NetrcEntry[]): string {
  return entries
    .map(
      (e) =>
        `machine ${quoteNetrc(e.machine)} login ${quoteNetrc(e.login)} password ${quoteNetrc(e.password)}\n`,
    )
    .join('');
}

async function userNetrc(env: NodeJS.ProcessEnv): Promise<NetrcEntry[]> {
  const path = env.NETRC ?? join(env.HOME ?? homedir(), '.netrc');
  const text = await readFile(path, 'utf8').catch(() => '');
  return parseNetrc(text);
}

/**
 * The section's indexes with `${VAR}` expanded from `env` and credentials moved out of the URLs into
 * netrc text (pip and requests read `NETRC`), so no URL Condense writes or logs carries a secret.
 * requests looks netrc up by host name without the port.
 */
export async function pipIndexes(
  section: Pick<PipSection, 'indexUrl' | 'extraIndexUrls'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PipIndexes> {
  const netrc = await userNetrc(env);
  const entries = new Map<string, NetrcEntry>();
  const one = (raw: string): PipIndex => {
    let url: URL;
    try {
      url = new URL(expandVariables(raw, env));
    } catch (error) {
      if (error instanceof CondenseError) throw error;
      throw new CondenseError(
        'INVALID_INPUT',
        `pip index URL ${raw.replace(/\/\/[^@/]*@/, '//')} is not a URL`,
      );
    }
    const host = url.host;
    if (url.username || url.password) {
      entries.set(url.hostname, {
        machine: url.hostname,
        login: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      });
    }
    url.username = '';
    url.password = '';
    const fromNetrc = netrc.find((e) => e.machine === url.hostname);
    if (fromNetrc && !entries.has(url.hostname)) entries.set(url.hostname, fromNetrc);
    return {
      url: url.toString().replace(/\/+$/, ''),
      host,
      authenticated: entries.has(url.hostname),
    };
  };
  const primary = one(section.indexUrl ?? PYPI_INDEX);
  const extra = section.extraIndexUrls.map(one);
  const list = [...entries.values()];
  return {
    primary,
    extra,
    netrc: formatNetrc(list),
    secrets: list.flatMap((e) => [e.password, e.login]).filter((s) => s.length >= 3),
  };
}

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('***');
  }
  return out;
}
