import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import { writeRecipeFile } from '../recipe/recipe-file';
import { hasRecipe, recipeBuildInput } from './recipe-input';

const temp = mkdtempSync(join(tmpdir(), 'condense-recipe-input-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('recipeBuildInput', () => {
  it('turns condense.yml variants into runtime-<id> targets with their rule ids, in both Dockerfile forms', async () => {
    const dir = mkdtempSync(join(temp, 'p-'));
    expect(hasRecipe(dir)).toBe(false);
    await writeRecipeFile(dir, {
      ...defaultRecipe(),
      variants: [
        { id: 'none', prune: defaultPrune('none') },
        { id: 'expert', prune: defaultPrune('expert') },
      ],
    });
    expect(hasRecipe(dir)).toBe(true);
    const input = await recipeBuildInput(dir);
    expect(input.variants.map((v) => [v.id, v.target])).toEqual([
      ['none', 'runtime-none'],
      ['expert', 'runtime-expert'],
    ]);
    expect(input.variants[0]!.rules).toEqual([]);
    expect(input.python).toBe('/env/bin/python');
    expect(input.variants[1]!.rules!.length).toBeGreaterThan(3);
    for (const variant of input.variants) {
      expect(input.dockerfile).toMatch(new RegExp(`^FROM .* AS ${variant.target}$`, 'm'));
    }
    // The BuildKit form caches the package folder in a mount; the classic one cleans it instead.
    expect(input.dockerfile).toContain('--mount=type=cache');
    expect(input.classicDockerfile).not.toContain('--mount');
    expect(input.classicDockerfile).toMatch(/clean -afy/);
  });

  it('builds one default variant (the runtime stage) when the recipe has none', async () => {
    const dir = mkdtempSync(join(temp, 'p-'));
    await writeRecipeFile(dir, defaultRecipe());
    const input = await recipeBuildInput(dir);
    expect(input.variants).toEqual([expect.objectContaining({ id: 'default', target: 'runtime' })]);
  });
});
