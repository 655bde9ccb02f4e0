import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { parse } from 'yaml';

import { CondenseError } from '../../../shared/api/errors';
import type { LockImportResult } from '../../../shared/api/lock';
import { parseCondaLockYml, writeCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import {
  explicitPackages,
  parseExplicitLockfile,
  writeExplicitLockfile,
} from '../../../shared/conda/explicit-lockfile';
import type { CondaLock } from '../../../shared/conda/lock-model';
import { APP_NAME, APP_VERSION } from '../app-info';
import { stripAuth } from '../channels/channel-url';
import { writeFileAtomic } from '../fs/atomic-write';
import { explicitLockName, UNIFIED_LOCK } from './lock-files';

/** The lockfile formats Condense reads. */
export type LockfileFormat = 'explicit' | 'conda-lock.yml';

function refuse(path: string, message: string): never {
  throw new CondenseError('INVALID_INPUT', `${basename(path)}: ${message}`, { file: path });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which format a file's text is in; every other format is refused by name. */
export function detectLockfileFormat(path: string, text: string): LockfileFormat {
  if (/^\s*@EXPLICIT\s*$/m.test(text)) return 'explicit';
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    data = undefined;
  }
  if (isRecord(data)) {
    if ('environments' in data && 'packages' in data)
      refuse(
        path,
        `this is a pixi.lock (pixi's format, version ${String(data.version)}), which Condense does not read: export explicit files with "pixi project export conda-explicit-spec" and import those`,
      );
    if ('metadata' in data && 'package' in data) return 'conda-lock.yml';
    if ('dependencies' in data)
      refuse(
        path,
        'this is an environment file, not a lockfile: open its folder as a project instead',
      );
  }
  if (/^[A-Za-z0-9_.-]+=[^=\s]+=[^=\s]+\s*$/m.test(text))
    refuse(
      path,
      'this is a "conda list --export" file (name=version=build lines), which names no URLs or hashes: export it with "conda list --explicit --md5" and import that',
    );
  refuse(
    path,
    'not a lockfile Condense reads: import conda-lock.yml (version 1) or explicit files (with an "@EXPLICIT" line)',
  );
}

/** Reads a lockfile of either format into a CondaLock; platforms come only from the known list. */
export async function readLockfile(path: string): Promise<CondaLock & { format: LockfileFormat }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CondenseError('NOT_FOUND', `cannot read lockfile ${path}`, { file: path });
  }
  const format = detectLockfileFormat(path, text);
  try {
    if (format === 'conda-lock.yml') return { format, ...parseCondaLockYml(text) };
    const parsed = parseExplicitLockfile(text);
    return {
      format,
      channels: [
        ...new Set(
          parsed.packages
            .filter((p) => p.manager === 'conda')
            .map((p) => p.url.split('/').slice(0, -2).join('/')),
        ),
      ],
      platforms: [parsed.platform],
      inputHashes: parsed.inputHash ? { [parsed.platform]: parsed.inputHash } : {},
      sources: ['environment.yml'],
      packages: parsed.packages,
    };
  } catch (error) {
    if (error instanceof CondenseError && error.code === 'INVALID_INPUT')
      refuse(path, error.message.replace(/^conda-lock\.yml: /, ''));
    throw error;
  }
}

/**
 * Imports lockfiles written by conda-lock, conda or Condense (explicit files, conda-lock.yml) as the
 * project's lock: writes conda-lock.yml and one explicit file per platform (`main` category, and
 * `dev` with `includeDev`,
 * each package once, in conda's install order, `# pip` lines kept). Credentials in URLs are
 * stripped. Output names come from the known platform list, never from the files.
 */
export async function importLockfiles(
  projectDir: string,
  files: string[],
  options: { includeDev?: boolean } = {},
): Promise<LockImportResult> {
  const categories = options.includeDev ? ['main', 'dev'] : ['main'];
  if (files.length === 0)
    throw new CondenseError('INVALID_INPUT', 'choose at least one lockfile to import');
  const merged: CondaLock = {
    channels: [],
    platforms: [],
    inputHashes: {},
    sources: ['environment.yml'],
    packages: [],
  };
  for (const file of files) {
    const lock = await readLockfile(file);
    for (const platform of lock.platforms) {
      if (merged.platforms.includes(platform)) {
        throw new CondenseError(
          'CONFLICT',
          `two of the files lock ${platform}: import one per platform`,
        );
      }
      merged.platforms.push(platform);
      if (lock.inputHashes[platform]) merged.inputHashes[platform] = lock.inputHashes[platform];
    }
    if (lock.customMetadata)
      merged.customMetadata = { ...merged.customMetadata, ...lock.customMetadata };
    for (const c of lock.channels)
      if (!merged.channels.includes(stripAuth(c))) merged.channels.push(stripAuth(c));
    merged.packages.push(...lock.packages.map((p) => ({ ...p, url: stripAuth(p.url) })));
  }
  const missingMd5 = merged.packages.find((p) => p.manager === 'conda' && !p.md5);
  if (missingMd5) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${missingMd5.url} has no md5 in the imported file; conda-lock.yml requires md5 hashes`,
    );
  }
  const written: string[] = [];
  for (const platform of merged.platforms) {
    const path = join(projectDir, explicitLockName(platform));
    await writeFileAtomic(
      path,
      writeExplicitLockfile(merged.packages, {
        platform,
        inputHash: merged.inputHashes[platform] ?? '',
        generator: `${APP_NAME} ${APP_VERSION} (imported)`,
        categories,
      }),
    );
    written.push(path);
  }
  const unified = join(projectDir, UNIFIED_LOCK);
  await writeFileAtomic(unified, writeCondaLockYml(merged));
  written.push(unified);
  return {
    files: written,
    platforms: merged.platforms.map((platform) => ({
      platform,
      packages: explicitPackages(merged.packages, platform, categories).length,
    })),
  };
}
