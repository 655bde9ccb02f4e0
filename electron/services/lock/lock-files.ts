import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import type { InputHashOptions } from '../../../shared/conda/input-hash';
import { inputHashText, inputHashTexts } from '../../../shared/conda/input-hash';
import type { CondaLock } from '../../../shared/conda/lock-model';
import { isLockPlatform, LOCK_PLATFORMS } from '../../../shared/conda/platforms';
import type { EnvironmentFile } from '../../../shared/environment/environment-file';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { recoverFolder } from '../fs/commit-files';
import { ENVIRONMENT_FILE } from '../project/skeletons';
import { withPackageSizes } from './package-sizes';

export { ENVIRONMENT_FILE };
export const UNIFIED_LOCK = 'conda-lock.yml';
/** `conda-<platform>.lock`, for a platform of the known list only (no input chooses a path). */
export function explicitLockName(platform: string): string {
  if (!isLockPlatform(platform))
    throw new CondenseError(
      'INVALID_INPUT',
      `unknown platform "${platform}": use one of ${LOCK_PLATFORMS.join(', ')}`,
    );
  return `conda-${platform}.lock`;
}

/** Reads and parses `<projectDir>/environment.yml`. */
export async function readEnvironment(
  projectDir: string,
): Promise<{ text: string; file: EnvironmentFile }> {
  let text: string;
  try {
    text = await readFile(join(projectDir, ENVIRONMENT_FILE), 'utf8');
  } catch {
    throw new CondenseError(
      'NOT_FOUND',
      `no environment.yml in ${projectDir}: create one or open another project folder`,
      { projectDir },
    );
  }
  return { text, file: parseEnvironmentFile(text) };
}

/** The project's conda-lock.yml, or undefined when there is none. */
export async function readUnifiedLock(projectDir: string): Promise<CondaLock | undefined> {
  // A lock interrupted by a crash is finished (or its leftovers removed) before anyone reads it.
  await recoverFolder(projectDir);
  let text: string;
  try {
    text = await readFile(join(projectDir, UNIFIED_LOCK), 'utf8');
  } catch {
    return undefined;
  }
  return withPackageSizes(parseCondaLockYml(text));
}

/** conda-lock's content hash of one platform's effective environment (see `inputHashText`). */
export function inputHash(
  env: Parameters<typeof inputHashText>[0],
  options: InputHashOptions = {},
): string {
  return createHash('sha256').update(inputHashText(env, options)).digest('hex');
}

/** Every hash conda-lock takes as equal to `inputHash` (older conda-lock defaults). */
export function acceptedInputHashes(
  env: Parameters<typeof inputHashText>[0],
  options: InputHashOptions = {},
): string[] {
  return inputHashTexts(env, options).map((text) =>
    createHash('sha256').update(text).digest('hex'),
  );
}
