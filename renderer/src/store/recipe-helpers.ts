import type { VariantSpec } from '../../../shared/api/build';
import { PRUNE_PRESETS } from '../../../shared/recipe/catalog';
import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import type { PrunePresetId, PruneSettings, Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';

/** The variant id the UI uses for the recipe's own prune setting (a recipe without variants). */
export const MAIN_VARIANT = 'default';

/** The prune setting being edited: a variant's, or the recipe's own when it has no variants. */
export function pruneOf(recipe: Recipe, variantId?: string): PruneSettings {
  return (
    recipe.variants.find((v) => v.id === variantId)?.prune ??
    recipe.variants[0]?.prune ??
    recipe.prune
  );
}

/** Catalog rule ids a prune setting switches on (custom globs excluded). */
export function enabledRuleIds(prune: PruneSettings): Set<string> {
  const on = new Set([...PRUNE_PRESETS[prune.preset], ...prune.add]);
  for (const id of prune.remove) on.delete(id);
  return on;
}

/** Switches one rule, expressed against the preset so the file stays readable. */
export function toggleRule(prune: PruneSettings, ruleId: string): PruneSettings {
  const inPreset = PRUNE_PRESETS[prune.preset].includes(ruleId);
  const on = enabledRuleIds(prune).has(ruleId);
  const without = (list: string[]) => list.filter((id) => id !== ruleId);
  if (inPreset) {
    return { ...prune, remove: on ? [...without(prune.remove), ruleId] : without(prune.remove) };
  }
  return { ...prune, add: on ? without(prune.add) : [...without(prune.add), ruleId] };
}

/**
 * Adds a custom glob once (at the end), or removes it with its `force` and reason: a glob typed
 * again later is the user's own, checked by the guards and without the trace's reason.
 */
export function withCustomGlob(prune: PruneSettings, glob: string, on: boolean): PruneSettings {
  const rest = prune.custom.filter((g) => g !== glob);
  if (on) return { ...prune, custom: [...rest, glob] };
  const { force, reasons, ...others } = prune;
  const keptReasons = Object.entries(reasons ?? {}).filter(([g]) => g !== glob);
  return {
    ...others,
    custom: rest,
    ...(force ? { force: force.filter((g) => g !== glob) } : {}),
    ...(reasons ? { reasons: Object.fromEntries(keptReasons) } : {}),
  };
}

export function applyPreset(prune: PruneSettings, preset: PrunePresetId): PruneSettings {
  return { ...prune, preset, add: [], remove: [] };
}

/** The preset whose rules are exactly the enabled ones (no additions or removals), if any. */
export function presetOf(prune: PruneSettings): PrunePresetId | undefined {
  return prune.add.length === 0 && prune.remove.length === 0 ? prune.preset : undefined;
}

/** The recipe with one variant's prune setting replaced (or the recipe's own when it has none). */
export function withPrune(
  recipe: Recipe,
  variantId: string | undefined,
  prune: PruneSettings,
): Recipe {
  if (recipe.variants.length === 0) return { ...recipe, prune };
  const id = recipe.variants.some((v) => v.id === variantId) ? variantId : recipe.variants[0]!.id;
  return { ...recipe, variants: recipe.variants.map((v) => (v.id === id ? { ...v, prune } : v)) };
}

/**
 * Adds a variant copying the rules being edited. A recipe without variants first turns its own
 * prune setting into the `default` variant, so both can be built and compared.
 */
export function addVariant(recipe: Recipe, id: string, from?: string): Recipe {
  const base = recipe.variants.length
    ? recipe.variants
    : [{ id: MAIN_VARIANT, prune: recipe.prune }];
  const source = base.find((v) => v.id === from) ?? base[0]!;
  return { ...recipe, variants: [...base, { id, prune: structuredClone(source.prune) }] };
}

/** Variant ids a build can choose from. */
export function variantIds(recipe: Recipe): string[] {
  return recipe.variants.length ? recipe.variants.map((v) => v.id) : [MAIN_VARIANT];
}

/** What `build:start` needs: the generated Dockerfile and one VariantSpec per chosen variant. */
export function buildPlan(
  recipe: Recipe,
  only: string[],
): { dockerfile: string; variants?: VariantSpec[]; only?: string[] } {
  const dockerfile = generateDockerfile(recipe);
  if (recipe.variants.length === 0) return { dockerfile };
  const variants = recipe.variants.map((v) => ({
    id: v.id,
    target: targetStage(v.id),
    rules: resolvePrune(v.prune, recipe.platform).map((r) => r.id),
  }));
  return { dockerfile, variants, only };
}
