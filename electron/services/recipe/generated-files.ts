import type { GeneratedFiles } from '../../../shared/api/recipe';
import type { DockerfileOptions } from '../../../shared/recipe/dockerfile';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import { generateDockerignore } from '../../../shared/recipe/dockerignore';
import type { Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';

/** Both Dockerfile forms, the .dockerignore and the variants `build:start` takes. */
export function generatedFiles(
  recipe: Recipe,
  options: Pick<DockerfileOptions, 'pip'> = {},
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
    dockerfile: generateDockerfile(recipe, options),
    classicDockerfile: generateDockerfile({ ...recipe, buildkitCache: false }, options),
    dockerignore: generateDockerignore(recipe),
    variants,
  };
}
