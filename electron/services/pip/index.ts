import { CondenseError } from '../../../shared/api/errors';
import { normalizePipName } from '../../../shared/pip/requirement';
import { deadline } from '../wait/deadline';
import type { PipIndex, PipIndexes } from './credentials';
import { parseNetrc } from './credentials';

/** PEP 691's JSON form of the simple API; HTML (PEP 503) is asked for only as a fallback. */
const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1';
const TIMEOUT_MS = 15_000;

export interface IndexFile {
  filename: string;
  /** Absolute, also when the index links relatively. */
  url: string;
  sha256?: string;
  yanked: boolean;
  requiresPython?: string;
  size?: number;
}

export interface IndexProject {
  /** The index URL that answered. */
  index: string;
  name: string;
  files: IndexFile[];
}

type Auth = Pick<PipIndexes, 'netrc'> | undefined;

function headersFor(url: string, auth: Auth): Record<string, string> {
  const headers: Record<string, string> = { Accept: ACCEPT };
  const host = new URL(url).hostname;
  const entry = auth ? parseNetrc(auth.netrc).find((e) => e.machine === host) : undefined;
  if (entry)
    headers.Authorization = `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString('base64')}`;
  return headers;
}

async function getJson(url: string, auth: Auth, signal?: AbortSignal): Promise<unknown> {
  // deadline(), not AbortSignal.any with AbortSignal.timeout: Node 20 can drop that timeout (wait/deadline.ts).
  const wait = deadline(TIMEOUT_MS, signal);
  const host = new URL(url).host;
  try {
    const response = await fetch(url, { headers: headersFor(url, auth), signal: wait.signal });
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403)
      throw new CondenseError(
        'UNAUTHORIZED',
        `the pip index ${host} refused the credentials (${response.status})`,
      );
    if (!response.ok)
      throw new CondenseError(
        'CHANNEL_UNREACHABLE',
        `the pip index ${host} answered ${response.status}`,
      );
    if (!(response.headers.get('content-type') ?? '').includes('json'))
      throw new CondenseError('INVALID_INPUT', `the pip index ${host} does not serve PEP 691 JSON`);
    return await response.json();
  } catch (error) {
    if (error instanceof CondenseError) throw error;
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    if (wait.expired)
      throw wait.error(`the pip index ${host}`, 'check that it is up, then search again');
    throw new CondenseError(
      'CHANNEL_UNREACHABLE',
      `the pip index ${host} does not answer: check that it is up`,
    );
  } finally {
    wait.dispose();
  }
}

interface JsonProject {
  name?: string;
  files?: {
    filename: string;
    url: string;
    hashes?: Record<string, string>;
    yanked?: boolean | string;
    'requires-python'?: string;
    size?: number;
  }[];
}

/** A project's files from the first index that has it, or undefined when none does. */
export async function indexProject(
  indexes: PipIndex[],
  name: string,
  signal?: AbortSignal,
  auth?: Auth,
): Promise<IndexProject | undefined> {
  for (const index of indexes) {
    const page = `${index.url}/${normalizePipName(name)}/`;
    const data = (await getJson(page, auth, signal)) as JsonProject | undefined;
    if (!data) continue;
    return {
      index: index.url,
      name: data.name ?? normalizePipName(name),
      files: (data.files ?? []).map((f) => ({
        filename: f.filename,
        url: new URL(f.url, page).toString(),
        ...(f.hashes?.sha256 ? { sha256: f.hashes.sha256 } : {}),
        yanked: f.yanked !== undefined && f.yanked !== false,
        ...(f['requires-python'] ? { requiresPython: f['requires-python'] } : {}),
        ...(typeof f.size === 'number' ? { size: f.size } : {}),
      })),
    };
  }
  return undefined;
}

const listings = new Map<string, { at: number; names: string[] }>();
const LISTING_TTL_MS = 10 * 60_000;

export interface IndexSearchResult {
  name: string;
  /** Versions from file names, newest last, yanked ones left out. */
  versions?: string[];
}

/**
 * Names on an index that contain `query` (PEP 503-normalized), exact match first. PEP 691 has no
 * search call: this reads the index's project list once per ten minutes.
 */
export async function searchIndex(
  index: PipIndex,
  query: string,
  options: { limit?: number; signal?: AbortSignal; auth?: Auth } = {},
): Promise<IndexSearchResult[]> {
  const wanted = normalizePipName(query.trim());
  if (!wanted) return [];
  let listing = listings.get(index.url);
  if (!listing || Date.now() - listing.at > LISTING_TTL_MS) {
    const data = (await getJson(`${index.url}/`, options.auth, options.signal)) as
      { projects?: { name: string }[] } | undefined;
    listing = { at: Date.now(), names: (data?.projects ?? []).map((p) => p.name) };
    listings.set(index.url, listing);
  }
  const matches = listing.names
    .filter((n) => normalizePipName(n).includes(wanted))
    .sort((a, b) => {
      const exact = Number(normalizePipName(b) === wanted) - Number(normalizePipName(a) === wanted);
      return exact || a.length - b.length || a.localeCompare(b);
    })
    .slice(0, options.limit ?? 20);
  const results: IndexSearchResult[] = [];
  for (const name of matches) {
    const project =
      normalizePipName(name) === wanted
        ? await indexProject([index], name, options.signal, options.auth).catch(() => undefined)
        : undefined;
    const versions = project
      ? [
          ...new Set(
            project.files
              .filter((f) => !f.yanked)
              .map((f) => /^[^-]+-([^-]+?)(?:-|\.tar\.gz$|\.zip$)/.exec(f.filename)?.[1])
              .filter((v): v is string => !!v),
          ),
        ]
      : undefined;
    results.push({ name, ...(versions ? { versions } : {}) });
  }
  return results;
}
