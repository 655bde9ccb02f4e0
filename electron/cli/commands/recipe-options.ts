import type { Recipe } from '../../../shared/recipe/model';
import { validateRecipe } from '../../../shared/recipe/validate';

/** Options shared by `dockerfile` and `analyze` to try prune settings without editing condense.yml. */
export const PRUNE_OPTIONS = {
  preset: { type: 'string' as const },
  rule: { type: 'string' as const, multiple: true },
  'no-rule': { type: 'string' as const, multiple: true },
};

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

function list(value: Values[string]): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}

/**
 * The recipe with `--preset P`, `--rule ID` and `--no-rule ID` applied to its prune setting; these
 * describe one image, so the recipe's variants are dropped (the note says so).
 */
export function withPruneOptions(
  recipe: Recipe,
  values: Values,
): { recipe: Recipe; note?: string } {
  const preset = typeof values.preset === 'string' ? values.preset : undefined;
  const add = list(values.rule);
  const remove = list(values['no-rule']);
  if (preset === undefined && add.length === 0 && remove.length === 0) return { recipe };
  const next = {
    ...recipe,
    prune: {
      ...recipe.prune,
      ...(preset !== undefined ? { preset } : {}),
      add: [...recipe.prune.add, ...add],
      remove: [...recipe.prune.remove.filter((id) => !add.includes(id)), ...remove],
    },
    variants: [],
  };
  return {
    recipe: validateRecipe(next),
    ...(recipe.variants.length > 0
      ? { note: "prune options given: one image without the recipe's variants" }
      : {}),
  };
}
