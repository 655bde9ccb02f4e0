import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { SmokeSpec } from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import { lockImportModules } from '../../../shared/build/smoke';
import { lockedFileLists } from '../analysis/savings-analysis';
import { cacheDir } from '../channels/channel-url';
import { loadRecipe, RECIPE_FILE } from '../recipe/recipe-file';
import { ownPackageModules } from './package-modules';

export interface SmokePlan {
  /** What to run in each image; undefined when nothing is to run. */
  spec?: SmokeSpec;
  /** Why no check runs, when the request asked for none and the lock offers nothing to import. */
  skipped?: string;
}

export interface SmokePlanOptions {
  projectDir: string;
  /** User cache root for package file lists (`cacheDir()` by default). */
  cacheRoot?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/**
 * The smoke test of a build. Modules given in the request win (an empty list means "no import check");
 * without them, the import list comes from the locked packages' files (the analysis service's cached
 * `info/paths.json` lists) and the own package's top-level modules. A lock that cannot be read skips the imports with the reason, since the
 * build itself may still be worth having.
 */
export async function planSmoke(
  requested: SmokeSpec | undefined,
  options: SmokePlanOptions,
): Promise<SmokePlan> {
  if (requested?.modules !== undefined) return withChecks(requested);
  let derived: { modules: string[]; reason?: string };
  if (!existsSync(join(options.projectDir, RECIPE_FILE))) {
    derived = {
      modules: [],
      reason:
        'no condense.yml, so no lock to take the modules to import from: list them (Modules to import, --module)',
    };
  } else {
    try {
      const recipe = await loadRecipe(options.projectDir);
      options.onProgress?.('Reading the locked packages for the smoke test');
      const { lists } = await lockedFileLists({
        projectDir: options.projectDir,
        recipe,
        cacheRoot: options.cacheRoot ?? cacheDir(),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      derived = lockImportModules(lists);
      if (recipe.package) {
        // The own package is not in the lock: its modules come from its sources.
        const own = await ownPackageModules(join(options.projectDir, recipe.package.path));
        derived = { modules: [...new Set([...derived.modules, ...own])].sort() };
      }
    } catch (error) {
      if (isCondenseError(error) && error.code === 'CANCELLED') throw error;
      if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
      const message = error instanceof Error ? error.message : String(error);
      derived = { modules: [], reason: `could not read the locked packages (${message})` };
    }
  }
  const spec: SmokeSpec = { ...requested, modules: derived.modules };
  const plan = withChecks(spec);
  return plan.spec ? plan : { skipped: derived.reason ?? 'nothing to import' };
}

function withChecks(spec: SmokeSpec | undefined): SmokePlan {
  const any = (spec?.modules?.length ?? 0) > 0 || (spec?.command?.length ?? 0) > 0;
  return any ? { spec: spec! } : {};
}
