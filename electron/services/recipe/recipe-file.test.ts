import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { isCondenseError } from '../../../shared/api/errors';
import { RECIPE_MISSING_REVISION } from '../../../shared/api/recipe';
import { defaultRecipe } from '../../../shared/recipe/model';
import { loadRecipe, readRecipeFile, writeRecipeFile } from './recipe-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-recipe-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('condense.yml', () => {
  it('gives the defaults when the file is missing', async () => {
    expect(await readRecipeFile(dir)).toEqual({
      recipe: defaultRecipe(),
      exists: false,
      issues: [],
      revision: RECIPE_MISSING_REVISION,
    });
  });

  it("reads the project skeleton's version-only file as the defaults", async () => {
    await writeFile(join(dir, 'condense.yml'), '# Condense image recipe\nversion: 1\n');
    expect(await readRecipeFile(dir)).toEqual({
      recipe: defaultRecipe(),
      exists: true,
      issues: [],
      revision: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
  });

  it('lets only one of two saves from the same revision through', async () => {
    await writeFile(join(dir, 'condense.yml'), 'version: 1\n');
    const { recipe, revision } = await readRecipeFile(dir);
    const results = await Promise.allSettled([
      writeRecipeFile(dir, { ...recipe, port: 1111 }, revision),
      writeRecipeFile(dir, { ...recipe, port: 2222 }, revision),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const written = results.find((r) => r.status === 'fulfilled')!.value;
    expect((await readRecipeFile(dir)).recipe.port).toBe(written.recipe.port);
    const refused = results.find((r) => r.status === 'rejected')!;
    expect(refused.reason).toMatchObject({
      code: 'CONFLICT',
      details: { revision: written.revision },
    });
  });

  it('keeps comments and key order when saving changes', async () => {
    const original = [
      '# My recipe, hand-written',
      'version: 1',
      '# pinned for the audit',
      'builderImage: condense-fixture/miniforge3:offline # offline stand-in',
      'prune:',
      '  preset: safe # start safe',
      '  remove: [pip]',
      '',
    ].join('\n');
    await writeFile(join(dir, 'condense.yml'), original);
    const { recipe } = await readRecipeFile(dir);
    expect(recipe.builderImage).toBe('condense-fixture/miniforge3:offline');
    expect(recipe.prune.remove).toEqual(['pip']);
    await writeRecipeFile(dir, {
      ...recipe,
      prune: { ...recipe.prune, preset: 'expert' },
      port: 8080,
    });
    const text = await readFile(join(dir, 'condense.yml'), 'utf8');
    expect(text).toContain('# My recipe, hand-written');
    expect(text).toContain('# pinned for the audit');
    expect(text).toContain('builderImage: condense-fixture/miniforge3:offline # offline stand-in');
    expect(text).toContain('preset: expert # start safe');
    expect(text.indexOf('builderImage')).toBeLessThan(text.indexOf('prune:'));
    const back = await loadRecipe(dir);
    expect(back.prune.preset).toBe('expert');
    expect(back.port).toBe(8080);
    expect((parse(text) as { version: number }).version).toBe(1);
  });

  it('lists problems naming the field instead of throwing on read', async () => {
    await writeFile(join(dir, 'condense.yml'), 'version: 2\nport: eighty\nprefix: /usr\n');
    const { issues } = await readRecipeFile(dir);
    expect(issues.map((i) => i.field)).toEqual(['version', 'prefix', 'port']);
    const error = await loadRecipe(dir).catch((e: unknown) => e);
    expect(isCondenseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(
      /^condense.yml: version: .*port: must be a whole number/,
    );
  });

  it('reports bad YAML with its line and writes nothing invalid', async () => {
    await writeFile(join(dir, 'condense.yml'), 'version: 1\nprune: [unclosed\n');
    await expect(readRecipeFile(dir)).rejects.toThrow(/condense.yml line \d+ is not valid YAML/);
    await writeFile(join(dir, 'condense.yml'), 'version: 1\n');
    await expect(writeRecipeFile(dir, { ...defaultRecipe(), lockfile: '../x' })).rejects.toThrow(
      /lockfile/,
    );
    expect(await readFile(join(dir, 'condense.yml'), 'utf8')).toBe('version: 1\n');
  });
});
