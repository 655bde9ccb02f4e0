import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CondenseError } from '../../../shared/api/errors';
import type { LockedPackage } from '../../../shared/conda/lock-model';
import { redact } from '../../../shared/format/redact';
import { channelGet } from '../channels/channel-fetch';
import { writeFileAtomic } from '../fs/atomic-write';
import type { PackageMetadata } from './conda-package-reader';
import { readPackageMetadata } from './conda-package-reader';

/** Bumped when the cached JSON changes shape. */
const CACHE_VERSION = 1;

export interface FileListOptions {
  /** User cache root (`cacheDir()`); lists go to `<root>/file-lists/`. */
  cacheRoot: string;
  signal?: AbortSignal;
  /** Packages downloaded at once. */
  concurrency?: number;
  /** Called after each package, cached or downloaded. */
  onProgress?: (done: number, total: number, name: string) => void;
  /** For tests of error paths; defaults to global fetch. */
  fetchImpl?: typeof fetch;
}

function cacheKey(pkg: LockedPackage): string {
  // The md5 names the exact archive; a URL hash is the fallback for lockfiles without hashes.
  return pkg.md5 || createHash('sha256').update(pkg.url).digest('hex');
}

async function download(pkg: LockedPackage, options: FileListOptions): Promise<Uint8Array> {
  if (pkg.url.startsWith('file:')) return new Uint8Array(await readFile(fileURLToPath(pkg.url)));
  let response: { ok: boolean; status: number; bytes: () => Promise<Uint8Array> };
  try {
    if (options.fetchImpl) {
      const raw = await options.fetchImpl(pkg.url, { signal: options.signal ?? null });
      response = {
        ok: raw.ok,
        status: raw.status,
        bytes: async () => new Uint8Array(await raw.arrayBuffer()),
      };
    } else {
      // Deadlines on every wait (silence, trickle) and cancel, like every channel request.
      const answer = await channelGet(pkg.url, {
        what: `package ${pkg.name}`,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      response = {
        ok: answer.ok,
        status: answer.status,
        bytes: () => Promise.resolve(answer.body),
      };
    }
  } catch (error) {
    if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    if (error instanceof CondenseError) throw error;
    throw new CondenseError(
      'CHANNEL_UNREACHABLE',
      `Could not download ${pkg.name} from ${redact(pkg.url)} (${error instanceof Error ? error.message : String(error)}); check the channel is reachable`,
    );
  }
  if (!response.ok) {
    throw new CondenseError(
      response.status === 404 ? 'PACKAGE_NOT_FOUND' : 'CHANNEL_UNREACHABLE',
      `The channel answered ${response.status} for ${redact(pkg.url)}; lock again if the package was removed`,
    );
  }
  const bytes = await response.bytes();
  if (pkg.md5) {
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== pkg.md5) {
      throw new CondenseError(
        'CONFLICT',
        `${pkg.url} has md5 ${md5} but the lockfile says ${pkg.md5}: the channel changed the file; lock again`,
      );
    }
  }
  return bytes;
}

/** The metadata of one package: from the cache, else downloaded, read and cached. */
export async function fileListOf(
  pkg: LockedPackage,
  options: FileListOptions & { cachedOnly?: boolean },
): Promise<(PackageMetadata & { cached: boolean }) | undefined> {
  const dir = join(options.cacheRoot, 'file-lists');
  const path = join(dir, `${cacheKey(pkg)}.json`);
  try {
    const cached = JSON.parse(await readFile(path, 'utf8')) as PackageMetadata & {
      version: number;
    };
    if (cached.version === CACHE_VERSION)
      return { index: cached.index, paths: cached.paths, cached: true };
  } catch {
    // Missing or unreadable: fetch again.
  }
  if (options.cachedOnly) return undefined;
  const filename = decodeURIComponent(pkg.url.split('/').pop() ?? '');
  const metadata = readPackageMetadata(await download(pkg, options), filename);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(path, JSON.stringify({ version: CACHE_VERSION, ...metadata }));
  return { ...metadata, cached: false };
}

/** Metadata of every package, in lock order, a few downloads at a time. */
export async function fileListsOf(
  packages: LockedPackage[],
  options: FileListOptions,
): Promise<(PackageMetadata & { cached: boolean })[]> {
  const results: (PackageMetadata & { cached: boolean })[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < packages.length) {
      if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
      const i = next++;
      const pkg = packages[i]!;
      results[i] = (await fileListOf(pkg, options))!;
      done += 1;
      options.onProgress?.(done, packages.length, pkg.name);
    }
  };
  const count = Math.max(1, Math.min(options.concurrency ?? 4, packages.length));
  await Promise.all(Array.from({ length: count }, worker));
  return results;
}
