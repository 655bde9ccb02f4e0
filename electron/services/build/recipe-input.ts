import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { VariantSpec } from '../../../shared/api/build';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import { pipStepOptions } from '../pip/dockerfile-input';
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
  /** Index hosts whose pip packages need credentials (the BuildKit secret), when the lock has pip packages. */
  pipCredentialHosts?: string[];
}

export function hasRecipe(projectDir: string): boolean {
  return existsSync(join(projectDir, RECIPE_FILE));
}

/** What to build from the project's condense.yml. */
export async function recipeBuildInput(projectDir: string): Promise<RecipeBuildInput> {
  const recipe = await loadRecipe(projectDir);
  const pip = await pipStepOptions(projectDir, recipe);
  const pipOptions = pip ? { pip } : {};
  const rules = (prune: typeof recipe.prune) =>
    resolvePrune(prune, recipe.platform).map((rule) => rule.id);
  const variants: VariantSpec[] =
    recipe.variants.length > 0
      ? recipe.variants.map((v) => ({ id: v.id, target: targetStage(v.id), rules: rules(v.prune) }))
      : [{ id: 'default', target: targetStage(), rules: rules(recipe.prune) }];
  return {
    dockerfile: generateDockerfile(recipe, pipOptions),
    classicDockerfile: generateDockerfile({ ...recipe, buildkitCache: false }, pipOptions),
    variants,
    python: `${recipe.prefix}/bin/python`,
    ...(pip ? { pipCredentialHosts: pip.credentialHosts } : {}),
  };
}
