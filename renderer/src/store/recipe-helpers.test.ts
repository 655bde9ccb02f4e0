import { describe, expect, it } from 'vitest';

import { PRUNE_PRESETS } from '../../../shared/recipe/catalog';
import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import { defaultRecipe } from '../../../shared/recipe/model';
import {
  addVariant,
  applyPreset,
  enabledRuleIds,
  pruneOf,
  toggleRule,
  withCustomGlob,
  withPrune,
} from './recipe-helpers';

describe('prune editing', () => {
  it("removes a custom glob with its force and reason, so typing it again is the user's own", () => {
    const traced = {
      ...defaultRecipe().prune,
      custom: ['share', 'bin/sqlite3'],
      force: ['share', 'bin/sqlite3'],
      reasons: { share: 'data no check read', 'bin/sqlite3': 'programs no check ran' },
    };
    const removed = withCustomGlob(traced, 'share', false);
    expect(removed).toMatchObject({
      custom: ['bin/sqlite3'],
      force: ['bin/sqlite3'],
      reasons: { 'bin/sqlite3': 'programs no check ran' },
    });
    const again = withCustomGlob(removed, 'share', true);
    expect(again.custom).toEqual(['bin/sqlite3', 'share']);
    expect(again.force).not.toContain('share');
    expect(again.reasons).not.toHaveProperty('share');
  });

  it('switches a preset rule off through `remove` and back on', () => {
    const safe = defaultRecipe().prune;
    const ruleId = PRUNE_PRESETS.safe[0]!;
    const off = toggleRule(safe, ruleId);
    expect(off.remove).toEqual([ruleId]);
    expect(enabledRuleIds(off).has(ruleId)).toBe(false);
    const on = toggleRule(off, ruleId);
    expect(on.remove).toEqual([]);
    expect(enabledRuleIds(on).has(ruleId)).toBe(true);
  });

  it('switches a rule outside the preset through `add`', () => {
    const safe = defaultRecipe().prune;
    expect(PRUNE_PRESETS.safe).not.toContain('libpython');
    const on = toggleRule(safe, 'libpython');
    expect(on.add).toEqual(['libpython']);
    expect(toggleRule(on, 'libpython').add).toEqual([]);
  });

  it('a preset clears single-rule changes', () => {
    const changed = toggleRule(
      toggleRule(defaultRecipe().prune, 'libpython'),
      PRUNE_PRESETS.safe[0]!,
    );
    expect(applyPreset(changed, 'expert')).toMatchObject({ preset: 'expert', add: [], remove: [] });
  });

  it('adding a variant to a single-image recipe keeps its rules as `default` and copies them', () => {
    const recipe = defaultRecipe();
    const two = addVariant(recipe, 'slim');
    expect(two.variants.map((v) => v.id)).toEqual(['default', 'slim']);
    expect(pruneOf(two, 'slim')).toEqual(recipe.prune);
    const edited = withPrune(two, 'slim', toggleRule(pruneOf(two, 'slim'), 'libpython'));
    expect(pruneOf(edited, 'default')).toEqual(recipe.prune);
    // The shared generator accepts what the UI produced: one runtime stage per variant.
    const dockerfile = generateDockerfile(edited);
    expect(dockerfile).toMatch(/AS runtime-default/);
    expect(dockerfile).toMatch(/AS runtime-slim/);
  });
});
