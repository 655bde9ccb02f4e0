import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { LockStatus } from '../../../shared/api/lock';
import { parseCondaLockYml, writeCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import {
  parseExplicitLockfile,
  writeExplicitLockfile,
} from '../../../shared/conda/explicit-lockfile';
import { parseVirtualPackages, virtualPackagesKey } from '../../../shared/conda/input-hash';
import type { CondaLock } from '../../../shared/conda/lock-model';
import { APP_NAME, APP_VERSION } from '../app-info';
import { stripAuth } from '../channels/channel-url';
import { writeFileAtomic } from '../fs/atomic-write';
import {
  explicitLockName,
  inputHash,
  readEnvironment,
  readUnifiedLock,
  UNIFIED_LOCK,
} from './lock-files';
import { virtualPackagesFor } from './virtual-packages';

/** Whether the project is locked, and whether environment.yml changed since (per platform). */
export async function lockStatus(
  projectDir: string,
  options: { cuda?: string } = {},
): Promise<LockStatus> {
  const { file } = await readEnvironment(projectDir);
  const lock = await readUnifiedLock(projectDir);
  if (!lock)
    return {
      locked: false,
      stale: true,
      platforms: [],
      missingPlatforms: file.spec.platforms.length ? file.spec.platforms : ['linux-64'],
    };
  const platforms = lock.platforms.map((platform) => {
    // Judge with the virtual packages the lock was made with (recorded in custom_metadata), else defaults.
    const recorded = lock.customMetadata?.[virtualPackagesKey(platform)];
    const virtual = recorded
      ? parseVirtualPackages(recorded)
      : virtualPackagesFor(platform, { cuda: options.cuda });
    const currentHash = inputHash(file.spec, platform, virtual);
    const lockedHash = lock.inputHashes[platform] ?? '';
    return {
      platform,
      packages: lock.packages.filter((p) => p.platform === platform).length,
      lockedHash,
      currentHash,
      stale: lockedHash !== currentHash,
    };
  });
  const missingPlatforms = file.spec.platforms.filter((p) => !lock.platforms.includes(p));
  return {
    locked: true,
    stale: missingPlatforms.length > 0 || platforms.some((p) => p.stale),
    platforms,
    missingPlatforms,
  };
}

/** Resolves a path given by the UI and refuses anything outside the project folder. */
export function projectPath(projectDir: string, path: string): string {
  const full = isAbsolute(path) ? resolve(path) : resolve(projectDir, path);
  const rel = relative(resolve(projectDir), full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new CondenseError(
      'PERMISSION_DENIED',
      `${path} is outside the project folder ${projectDir}`,
    );
  }
  return full;
}

/** Reads a lockfile of either format into a CondaLock. */
export async function readAnyLockfile(path: string): Promise<CondaLock> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CondenseError('NOT_FOUND', `cannot read lockfile ${path}`);
  }
  if (/^version:\s*1\s*$/m.test(text) || /\.ya?ml$/.test(path)) return parseCondaLockYml(text);
  const fromName = /conda-(.+)\.lock$/.exec(basename(path))?.[1];
  const parsed = parseExplicitLockfile(text, fromName);
  const platform = parsed.platform ?? fromName;
  if (!platform)
    throw new CondenseError(
      'INVALID_INPUT',
      `${path} names no platform ("# platform:" line missing)`,
    );
  return {
    channels: [
      ...new Set(
        parsed.packages
          .filter((p) => p.manager === 'conda')
          .map((p) => p.url.split('/').slice(0, -2).join('/')),
      ),
    ],
    platforms: [platform],
    inputHashes: parsed.inputHash ? { [platform]: parsed.inputHash } : {},
    sources: ['environment.yml'],
    packages: parsed.packages.map((p) => ({ ...p, platform })),
  };
}

/**
 * Imports lockfiles written by conda-lock (explicit or conda-lock.yml) as the project's lock: writes
 * conda-lock.yml and one explicit file per platform. Credentials in URLs are stripped.
 */
export async function importLockfiles(
  projectDir: string,
  files: string[],
): Promise<{ files: string[]; platforms: string[] }> {
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
    const lock = await readAnyLockfile(file);
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
      }),
    );
    written.push(path);
  }
  const unified = join(projectDir, UNIFIED_LOCK);
  await writeFileAtomic(unified, writeCondaLockYml(merged));
  written.push(unified);
  return { files: written, platforms: merged.platforms };
}
