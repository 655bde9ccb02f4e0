import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { VariantSpec } from '../../../shared/api/build';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import { assertCustomGlobs } from '../analysis/prune-guard';
import { cacheDir } from '../channels/channel-url';
import { loadRecipe } from '../recipe/recipe-file';
import { RECIPE_FILE } from '../recipe/recipe-file';

export interface RecipeBuildInput {
  /** The BuildKit form (cache mount on the package cache when the recipe asks for it). */
  dockerfile: string;
  /** The classic-builder form: no `RUN --mount`, `conda clean -afy` instead. */
  classicDockerfile: string;
  /** The recipe's variants as build targets, with the prune rule ids each applies. */
  variants: VariantSpec[];
  /** The environment's interpreter, for smoke tests: `<prefix>/bin/python`. */
  python: string;
}

export function hasRecipe(projectDir: string): boolean {
  return existsSync(join(projectDir, RECIPE_FILE));
}

/** What to build from the project's condense.yml. */
export async function recipeBuildInput(projectDir: string): Promise<RecipeBuildInput> {
  const recipe = await loadRecipe(projectDir);
  // Once the lock's file lists are known, a custom glob that empties the environment is refused.
  await assertCustomGlobs(projectDir, recipe, cacheDir());
  const rules = (prune: typeof recipe.prune) =>
    resolvePrune(prune, recipe.platform).map((rule) => rule.id);
  const variants: VariantSpec[] =
    recipe.variants.length > 0
      ? recipe.variants.map((v) => ({ id: v.id, target: targetStage(v.id), rules: rules(v.prune) }))
      : [{ id: 'default', target: targetStage(), rules: rules(recipe.prune) }];
  return {
    dockerfile: generateDockerfile(recipe),
    classicDockerfile: generateDockerfile({ ...recipe, buildkitCache: false }),
    variants,
    python: `${recipe.prefix}/bin/python`,
  };
}
