import { CondenseError } from '../../../shared/api/errors';
import type { PruneSettings, Variant } from '../../../shared/recipe/model';
import { TRACED_VARIANT_ID } from '../../../shared/trace/model';
import type { RecipeRead } from './recipe-file';
import { readRecipeFile, RECIPE_FILE, writeRecipeFile } from './recipe-file';

/** The id the single image builds under (`build-request.ts`), kept when a traced variant joins it. */
export const SINGLE_IMAGE_VARIANT_ID = 'default';

/**
 * Writes the `traced` variant into condense.yml, replacing one already there and leaving every
 * other field, variant and comment as it is. A recipe without variants builds one image: it gets a
 * `default` variant with its own prune settings first, so that image is still built beside the
 * traced one. `baseRevision` is the revision the caller's trace started from (as `recipe:save`
 * takes it): a file edited since is left alone with CONFLICT; without it, the file as read now.
 */
export async function writeTracedVariant(
  projectDir: string,
  prune: PruneSettings,
  baseRevision?: string,
): Promise<RecipeRead> {
  const read = await readRecipeFile(projectDir);
  if (read.issues.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${RECIPE_FILE} has problems to fix before the traced variant can be written: ${read.issues
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ')}`,
      { issues: read.issues },
    );
  }
  const { recipe } = read;
  const traced: Variant = { id: TRACED_VARIANT_ID, prune };
  const variants: Variant[] =
    recipe.variants.length > 0
      ? [...recipe.variants]
      : [{ id: SINGLE_IMAGE_VARIANT_ID, prune: recipe.prune }];
  const at = variants.findIndex((v) => v.id === TRACED_VARIANT_ID);
  if (at === -1) variants.push(traced);
  else variants[at] = traced;
  return writeRecipeFile(projectDir, { ...recipe, variants }, baseRevision ?? read.revision);
}
