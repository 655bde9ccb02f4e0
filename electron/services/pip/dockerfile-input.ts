import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { PIP_LINE_PREFIX } from '../../../shared/pip/lock-records';
import type { PipStepOptions } from '../../../shared/recipe/dockerfile';
import type { Recipe } from '../../../shared/recipe/model';
import { readUnifiedLock } from '../lock/lock-files';
import { PIP_CREDENTIAL_HOSTS_KEY } from './lock-pip';

/**
 * The Dockerfile's pip step for the project as locked: present when the recipe's lockfile has `# pip`
 * lines, with the index hosts that need credentials (recorded at lock time, host names only).
 */
export async function pipStepOptions(
  projectDir: string,
  recipe: Pick<Recipe, 'lockfile'>,
): Promise<PipStepOptions | undefined> {
  const text = await readFile(join(projectDir, recipe.lockfile), 'utf8').catch(() => '');
  if (!text.split('\n').some((line) => line.startsWith(PIP_LINE_PREFIX))) return undefined;
  const lock = await readUnifiedLock(projectDir).catch(() => undefined);
  const hosts = lock?.customMetadata?.[PIP_CREDENTIAL_HOSTS_KEY] ?? '';
  return { credentialHosts: hosts.split(',').filter(Boolean) };
}
