import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { LockStatus } from '../../../shared/api/lock';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import {
  cudaKey,
  parseVirtualPackages,
  virtualPackagesKey,
} from '../../../shared/conda/input-hash';
import type { CondaLock } from '../../../shared/conda/lock-model';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { stripAuth } from '../channels/channel-url';
import {
  acceptedInputHashes,
  explicitLockName,
  readEnvironment,
  readUnifiedLock,
} from './lock-files';

/** Whether the project is locked, and whether environment.yml changed since (per platform). */
export async function lockStatus(
  projectDir: string,
  options: { cuda?: string } = {},
): Promise<LockStatus> {
  const { text, file } = await readEnvironment(projectDir);
  const lock = await readUnifiedLock(projectDir);
  if (!lock)
    return {
      locked: false,
      stale: true,
      platforms: [],
      missingPlatforms: file.spec.platforms.length ? file.spec.platforms : ['linux-64'],
    };
  const mismatches = new Map<string, string>();
  for (const platform of lock.platforms) {
    const problem = await explicitMismatch(projectDir, lock, platform);
    if (problem) mismatches.set(platform, problem);
  }
  const platforms = lock.platforms.map((platform) => {
    // Judge with the options the lock was made with (custom_metadata), else conda-lock's defaults.
    const recorded = lock.customMetadata?.[virtualPackagesKey(platform)];
    const cuda = lock.customMetadata?.[cudaKey(platform)] ?? options.cuda;
    const [currentHash = '', ...equivalent] = acceptedInputHashes(
      effectiveEnvironment(text, platform, process.env),
      { cuda, ...(recorded ? { customVirtualPackages: parseVirtualPackages(recorded) } : {}) },
    );
    const lockedHash = lock.inputHashes[platform] ?? '';
    return {
      platform,
      packages: lock.packages.filter((p) => p.platform === platform).length,
      lockedHash,
      currentHash,
      stale:
        (lockedHash !== currentHash && !equivalent.includes(lockedHash)) ||
        mismatches.has(platform),
      ...(mismatches.has(platform) ? { mismatch: mismatches.get(platform)! } : {}),
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

/**
 * Whether `conda-<platform>.lock` (what a build installs) and conda-lock.yml (what status and the
 * UI read) describe the same packages; a message saying how they differ, or undefined.
 */
async function explicitMismatch(
  projectDir: string,
  lock: CondaLock,
  platform: string,
): Promise<string | undefined> {
  const name = explicitLockName(platform);
  let text: string;
  try {
    text = await readFile(join(projectDir, name), 'utf8');
  } catch {
    return `${name} is missing although conda-lock.yml locks ${platform}: lock again`;
  }
  let explicit: string[];
  try {
    explicit = parseExplicitLockfile(text)
      .packages.filter((p) => p.manager === 'conda')
      .map((p) => stripAuth(p.url));
  } catch (error) {
    return `${name} cannot be read (${(error as Error).message}): lock again`;
  }
  const unified = new Set(
    lock.packages
      .filter((p) => p.platform === platform && p.manager === 'conda')
      .map((p) => stripAuth(p.url)),
  );
  const own = new Set(explicit);
  const onlyExplicit = explicit.filter((u) => !unified.has(u)).length;
  const onlyUnified = [...unified].filter((u) => !own.has(u)).length;
  if (onlyExplicit === 0 && onlyUnified === 0) return undefined;
  return `${name} and conda-lock.yml list different packages (${onlyExplicit} only in ${name}, ${onlyUnified} only in conda-lock.yml): lock again`;
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
