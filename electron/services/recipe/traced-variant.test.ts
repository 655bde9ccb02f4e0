import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { isCondenseError } from '../../../shared/api/errors';
import type { PruneSettings } from '../../../shared/recipe/model';
import { defaultPrune } from '../../../shared/recipe/model';
import { readRecipeFile, writeRecipeFile } from './recipe-file';
import { writeTracedVariant } from './traced-variant';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-traced-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FILE = `# My service's recipe
version: 1
prefix: /env # where conda installs
variants:
  # the one we ship
  - id: safe
    prune: { preset: safe } # flow style, kept
  - id: expert
    prune:
      preset: expert
trace:
  keep: [lib/python3.11/site-packages/certifi] # certifi is read lazily
`;

const traced: PruneSettings = {
  ...defaultPrune('safe'),
  custom: ['bin/xz', 'include'],
  force: ['include'],
  reasons: { 'bin/xz': 'bin: programs no check ran', include: 'include: headers no check read' },
};

const text = () => readFile(join(dir, 'condense.yml'), 'utf8');

describe('writeTracedVariant', () => {
  it('adds the traced variant with reasons, keeping comments and the other variants', async () => {
    await writeFile(join(dir, 'condense.yml'), FILE);
    const written = await writeTracedVariant(dir, traced);
    const after = await text();
    for (const comment of [
      "# My service's recipe",
      '# where conda installs',
      '# the one we ship',
      '# flow style, kept',
      '# certifi is read lazily',
    ])
      expect(after).toContain(comment);
    // The writer fills in defaults (as recipe:save does), in the item's own flow style.
    expect(after).toContain('prune: { preset: safe, add: [], remove: [], custom: [] }');
    const raw = parse(after) as { variants: { id: string; prune: unknown }[] };
    expect(raw.variants.map((v) => v.id)).toEqual(['safe', 'expert', 'traced']);
    expect(raw.variants[2]!.prune).toMatchObject({
      custom: [
        { glob: 'bin/xz', reason: 'bin: programs no check ran' },
        { glob: 'include', reason: 'include: headers no check read', force: true },
      ],
    });
    const read = await readRecipeFile(dir);
    expect(read.issues).toEqual([]);
    expect(read.recipe.variants[2]).toEqual({ id: 'traced', prune: traced });
    expect(read.recipe.trace?.keep).toEqual(['lib/python3.11/site-packages/certifi']);
    expect(written.revision).toBe(read.revision);
  });

  it('replaces a traced variant already there', async () => {
    await writeFile(join(dir, 'condense.yml'), FILE);
    await writeTracedVariant(dir, traced);
    await writeTracedVariant(dir, { ...defaultPrune('expert'), custom: ['share/doc'] });
    const { recipe } = await readRecipeFile(dir);
    expect(recipe.variants.map((v) => v.id)).toEqual(['safe', 'expert', 'traced']);
    expect(recipe.variants[2]!.prune).toEqual({ ...defaultPrune('expert'), custom: ['share/doc'] });
    expect(await text()).toContain('# the one we ship');
  });

  it('keeps a single image built as the default variant beside the traced one', async () => {
    await writeFile(join(dir, 'condense.yml'), 'version: 1\nprune:\n  preset: expert\n');
    await writeTracedVariant(dir, traced);
    const { recipe } = await readRecipeFile(dir);
    expect(recipe.variants).toEqual([
      { id: 'default', prune: defaultPrune('expert') },
      { id: 'traced', prune: traced },
    ]);
  });

  it('leaves a file edited since the trace alone (CONFLICT)', async () => {
    await writeFile(join(dir, 'condense.yml'), FILE);
    const { revision } = await readRecipeFile(dir);
    const edited = `${FILE}port: 8000\n`;
    await writeFile(join(dir, 'condense.yml'), edited);
    const error = await writeTracedVariant(dir, traced, revision).catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('CONFLICT');
    expect(await text()).toBe(edited);
  });

  it('refuses to write over a condense.yml with problems', async () => {
    await writeFile(join(dir, 'condense.yml'), 'version: 1\nport: high\n');
    const error = await writeTracedVariant(dir, traced).catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('INVALID_INPUT');
    expect(await text()).toBe('version: 1\nport: high\n');
  });

  it("keeps the file's trace: when a caller saves a recipe without it", async () => {
    await writeFile(join(dir, 'condense.yml'), FILE);
    const read = await readRecipeFile(dir);
    const { trace: _trace, ...withoutTrace } = read.recipe;
    await writeRecipeFile(dir, { ...withoutTrace, port: 8000 }, read.revision);
    const after = await readRecipeFile(dir);
    expect(after.recipe.port).toBe(8000);
    expect(after.recipe.trace).toEqual(read.recipe.trace);
    expect(await text()).toContain('# certifi is read lazily');
  });
});
