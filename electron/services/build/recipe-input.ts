import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { VariantSpec } from '../../../shared/api/build';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { defaultServiceCheck } from '../../../shared/checks/model';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import type { Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
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
  network: NetworkMode;
  /** The service check when the recipe has a port (`service:`, or its defaults). */
  service?: ServiceCheckSpec & { port: number };
  recipe: Recipe;
}

export function hasRecipe(projectDir: string): boolean {
  return existsSync(join(projectDir, RECIPE_FILE));
}

/** What to build from the project's condense.yml. */
export async function recipeBuildInput(projectDir: string): Promise<RecipeBuildInput> {
  const recipe = await loadRecipe(projectDir);
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
    dockerfile: generateDockerfile(recipe, { variables }),
    classicDockerfile: generateDockerfile({ ...recipe, buildkitCache: false }, { variables }),
    variants,
    python: `${recipe.prefix}/bin/python`,
    network: recipe.network,
    ...(recipe.port !== null
      ? { service: { ...(recipe.service ?? defaultServiceCheck()), port: recipe.port } }
      : {}),
    recipe,
  };
}
