import { isAbsolute, relative, resolve } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { LockStatus } from '../../../shared/api/lock';
import {
  cudaKey,
  parseVirtualPackages,
  virtualPackagesKey,
} from '../../../shared/conda/input-hash';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { inputHash, readEnvironment, readUnifiedLock } from './lock-files';

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
  const platforms = lock.platforms.map((platform) => {
    // Judge with the options the lock was made with (custom_metadata), else conda-lock's defaults.
    const recorded = lock.customMetadata?.[virtualPackagesKey(platform)];
    const cuda = lock.customMetadata?.[cudaKey(platform)] ?? options.cuda;
    const currentHash = inputHash(effectiveEnvironment(text, platform, process.env), {
      cuda,
      ...(recorded ? { customVirtualPackages: parseVirtualPackages(recorded) } : {}),
    });
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
