import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { unzipSync } from 'fflate';

import { CondenseError } from '../../../shared/api/errors';
import type { LockedPackage } from '../../../shared/conda/lock-model';
import type { InstalledFile, PackageFileList } from '../../../shared/recipe/savings';
import { parseNetrc } from './credentials';

/**
 * Where pip puts a wheel's RECORD paths in a conda prefix: purelib and platlib are
 * `lib/pythonX.Y/site-packages`, `<name>.data/scripts` is `bin`, `.data/data` the prefix itself.
 */
export function installedPath(recordPath: string, pythonVersion: string): string {
  const data = /^[^/]+\.data\/(purelib|platlib|scripts|data|headers)\/(.*)$/.exec(recordPath);
  const site = `lib/python${pythonVersion}/site-packages`;
  if (!data) return `${site}/${recordPath}`;
  const [, scheme, rest] = data;
  if (scheme === 'scripts') return `bin/${rest}`;
  if (scheme === 'data') return rest!;
  if (scheme === 'headers') return `include/python${pythonVersion}/${rest}`;
  return `${site}/${rest}`;
}

/** RECORD lines (`path,sha256=...,size`) as path and size; RECORD lists itself without a size. */
export function parseRecord(text: string): { path: string; size: number }[] {
  return text
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => {
      // Paths with commas are quoted (csv).
      const match = /^(?:"((?:[^"]|"")*)"|([^,]*)),[^,]*,(\d*)$/.exec(line);
      const path = match ? (match[1]?.replace(/""/g, '"') ?? match[2] ?? '') : line.split(',')[0]!;
      return { path, size: Number(match?.[3] || 0) };
    })
    .filter((f) => f.path);
}

export interface WheelFilesOptions {
  cacheRoot: string;
  pythonVersion: string;
  /** netrc text for indexes behind credentials. */
  netrc?: string;
  signal?: AbortSignal;
}

async function download(p: LockedPackage, options: WheelFilesOptions): Promise<Uint8Array> {
  const host = new URL(p.url).hostname;
  const entry = parseNetrc(options.netrc ?? '').find((e) => e.machine === host);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 120_000);
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const response = await fetch(p.url, {
      headers: entry
        ? {
            Authorization: `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString('base64')}`,
          }
        : {},
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    throw new CondenseError(
      'CHANNEL_UNREACHABLE',
      `cannot download pip package ${p.name} from ${new URL(p.url).host} for its file list (${(error as Error).message})`,
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

/**
 * The files a locked pip wheel installs, with sizes from its RECORD, cached by sha256 under
 * `<cacheRoot>/pip-records`. An sdist has no RECORD until built: it counts as no files.
 */
export async function wheelFileList(
  p: LockedPackage,
  options: WheelFilesOptions,
): Promise<PackageFileList & { cached: boolean }> {
  const base = { name: p.name, version: p.version, build: 'pypi' };
  if (!p.url.endsWith('.whl') || !p.sha256) return { ...base, files: [], cached: false };
  const dir = join(options.cacheRoot, 'pip-records');
  const cachePath = join(dir, `${p.sha256}.txt`);
  let record = await readFile(cachePath, 'utf8').catch(() => undefined);
  const cached = record !== undefined;
  if (record === undefined) {
    const bytes = await download(p, options);
    // Cached under the locked sha256, so only the locked bytes may fill it.
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== p.sha256)
      throw new CondenseError(
        'INVALID_INPUT',
        `pip package ${p.name}: the file at ${p.url} does not match the lock (sha256 ${p.sha256.slice(0, 12)}… locked, ${got.slice(0, 12)}… served); the index changed it since the lock was made. Lock again (condense lock --update ${p.name}) if the new file is expected, otherwise find out who replaced it.`,
        { package: p.name, expected: p.sha256, got },
      );
    const zip = unzipSync(bytes, {
      filter: (file) => /^[^/]+\.dist-info\/RECORD$/.test(file.name),
    });
    const name = Object.keys(zip)[0];
    if (!name)
      throw new CondenseError('INVALID_INPUT', `pip package ${p.name}: its wheel has no RECORD`);
    record = new TextDecoder().decode(zip[name]);
    await mkdir(dir, { recursive: true });
    const temp = `${cachePath}.${process.pid}.tmp`;
    await writeFile(temp, record);
    await rename(temp, cachePath);
  }
  const files: InstalledFile[] = parseRecord(record).map((f) => ({
    path: installedPath(f.path, options.pythonVersion),
    // pip writes INSTALLER and REQUESTED, and rewrites RECORD, at install.
    size: f.size,
    type: 'file' as const,
  }));
  return { ...base, files, cached };
}
