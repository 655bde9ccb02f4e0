import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { VariantSpec } from '../../../shared/api/build';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { defaultServiceCheck } from '../../../shared/checks/model';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import type { Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import { assertCustomGlobs } from '../analysis/prune-guard';
import { cacheDir } from '../channels/channel-url';
import { pipStepOptions } from '../pip/dockerfile-input';
import { environmentVariables } from '../project/environment-store';
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
  network: NetworkMode;
  /** The service check when the recipe has a port (`service:`, or its defaults). */
  service?: ServiceCheckSpec & { port: number };
  recipe: Recipe;
}

export function hasRecipe(projectDir: string): boolean {
  return existsSync(join(projectDir, RECIPE_FILE));
}

/** What to build from the project's condense.yml (or from `given`, a recipe not yet saved). */
export async function recipeBuildInput(
  projectDir: string,
  given?: Recipe,
): Promise<RecipeBuildInput> {
  const recipe = given ?? (await loadRecipe(projectDir));
  // Once the lock's file lists are known, a custom glob that empties the environment is refused.
  await assertCustomGlobs(projectDir, recipe, cacheDir());
  const pip = await pipStepOptions(projectDir, recipe);
  const pipOptions = pip ? { pip } : {};
  const variables = await environmentVariables(projectDir);
  const rules = (prune: typeof recipe.prune) =>
    resolvePrune(prune, recipe.platform).map((rule) => rule.id);
  const variants: VariantSpec[] =
    recipe.variants.length > 0
      ? recipe.variants.map((v) => ({
          id: v.id,
          target: targetStage(v.id),
          rules: rules(v.prune),
          ...(v.prune.bytecode ? { bytecode: v.prune.bytecode } : {}),
        }))
      : [
          {
            id: 'default',
            target: targetStage(),
            rules: rules(recipe.prune),
            ...(recipe.prune.bytecode ? { bytecode: recipe.prune.bytecode } : {}),
          },
        ];
  return {
    dockerfile: generateDockerfile(recipe, { variables, ...pipOptions }),
    classicDockerfile: generateDockerfile(
      { ...recipe, buildkitCache: false },
      { variables, ...pipOptions },
    ),
    variants,
    python: `${recipe.prefix}/bin/python`,
    ...(pip ? { pipCredentialHosts: pip.credentialHosts } : {}),
    network: recipe.network,
    ...(recipe.port !== null
      ? { service: { ...(recipe.service ?? defaultServiceCheck()), port: recipe.port } }
      : {}),
    recipe,
  };
}
