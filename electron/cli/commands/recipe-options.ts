import type { Recipe } from '../../../shared/recipe/model';

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
 * The recipe with `--preset P`, `--rule ID` and `--no-rule ID` applied to its prune setting, as the
 * `recipe` of a request (`recipe:analyze`, `recipe:generate`): unchecked here, the contract's schema
 * checks it and names the field. Undefined without prune options. These describe one image, so the
 * recipe's variants are dropped (the note says so).
 */
export function pruneOptionsRecipe(
  recipe: Recipe,
  values: Values,
): { recipe?: Record<string, unknown>; note?: string } {
  const preset = typeof values.preset === 'string' ? values.preset : undefined;
  const add = list(values.rule);
  const remove = list(values['no-rule']);
  if (preset === undefined && add.length === 0 && remove.length === 0) return {};
  return {
    recipe: {
      ...recipe,
      prune: {
        ...recipe.prune,
        ...(preset !== undefined ? { preset } : {}),
        add: [...recipe.prune.add, ...add],
        remove: [...recipe.prune.remove.filter((id) => !add.includes(id)), ...remove],
      },
      variants: [],
    },
    ...(recipe.variants.length > 0
      ? { note: "prune options given: one image without the recipe's variants" }
      : {}),
  };
}
