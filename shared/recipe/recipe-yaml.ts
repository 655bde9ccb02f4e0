import type { PruneSettings, Recipe } from './model';

/** A custom rule as condense.yml writes it when it carries more than its glob. */
export interface CustomRuleYaml {
  glob: string;
  reason?: string;
  force?: true;
}

/** Prune settings in condense.yml's shape: `reasons` go beside their globs as `{glob, reason}`. */
export type PruneYaml = Omit<PruneSettings, 'custom' | 'reasons'> & {
  custom: (string | CustomRuleYaml)[];
};

/**
 * How condense.yml writes prune settings: a glob with a reason becomes `{glob, reason}` (with
 * `force: true` when forced); the others stay plain strings with `force:` listing the forced ones,
 * so files without reasons are written as before.
 */
export function pruneYaml(settings: PruneSettings): PruneYaml {
  const { reasons, force, custom, bytecode } = settings;
  const forced = new Set(force ?? []);
  const reasonOf = (glob: string) =>
    reasons && Object.hasOwn(reasons, glob) ? reasons[glob] : undefined;
  const listed = (force ?? []).filter((glob) => reasonOf(glob) === undefined);
  // In the order the file has always had them.
  return {
    preset: settings.preset,
    add: settings.add,
    remove: settings.remove,
    custom: custom.map((glob) => {
      const reason = reasonOf(glob);
      if (reason === undefined) return glob;
      return { glob, reason, ...(forced.has(glob) ? { force: true as const } : {}) };
    }),
    ...(listed.length > 0 ? { force: listed } : {}),
    ...(bytecode ? { bytecode } : {}),
  };
}

/** The recipe's fields as condense.yml holds them (same keys as `Recipe`). */
export function recipeYaml(recipe: Recipe): Record<string, unknown> {
  return {
    ...recipe,
    prune: pruneYaml(recipe.prune),
    variants: recipe.variants.map((variant) => ({ ...variant, prune: pruneYaml(variant.prune) })),
  };
}
