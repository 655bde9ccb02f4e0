import type { GeneratedFiles } from '../../../shared/api/recipe';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import { generateDockerignore } from '../../../shared/recipe/dockerignore';
import type { Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';

/**
 * Both Dockerfile forms, the .dockerignore and the variants `build:start` takes; `variables` are
 * environment.yml's, set as ENV in the runtime stage.
 */
export function generatedFiles(
  recipe: Recipe,
  variables: Record<string, string> = {},
): GeneratedFiles {
  const variants =
    recipe.variants.length === 0
      ? [
          {
            id: 'default',
            target: targetStage(),
            rules: resolvePrune(recipe.prune, recipe.platform).map((r) => r.id),
          },
        ]
      : recipe.variants.map((v) => ({
          id: v.id,
          target: targetStage(v.id),
          rules: resolvePrune(v.prune, recipe.platform).map((r) => r.id),
        }));
  return {
    dockerfile: generateDockerfile(recipe, { variables }),
    classicDockerfile: generateDockerfile({ ...recipe, buildkitCache: false }, { variables }),
    dockerignore: generateDockerignore(recipe),
    variants,
  };
}
