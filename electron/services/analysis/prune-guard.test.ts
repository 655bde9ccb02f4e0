import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { defaultPrune, defaultRecipe, type Recipe } from '../../../shared/recipe/model';
import type { PackageFileList } from '../../../shared/recipe/savings';
import { runCliCaptured as cli } from '../../../test/support/cli';
import { customGlobIssues } from './prune-guard';

const lists: PackageFileList[] = [
  {
    name: 'python',
    version: '3.11.9',
    build: 'h0',
    files: [
      { path: 'lib/python3.11/os.py', type: 'file', size: 700 },
      { path: 'lib/python3.11/site-packages/svc/data.bin', type: 'file', size: 100 },
      { path: 'bin/python3.11', type: 'file', size: 150 },
      { path: 'models/big.onnx', type: 'file', size: 30 },
      { path: 'share/doc/python/README', type: 'file', size: 20 },
    ],
  },
];

const recipe = (custom: string[], force?: string[]): Recipe => ({
  ...defaultRecipe(),
  prune: { ...defaultPrune('none'), custom, ...(force ? { force } : {}) },
});

describe('custom globs against the lock', () => {
  it('refuses a glob removing more than half of the bytes, with the estimate', () => {
    const [issue, ...rest] = customGlobIssues(recipe(['lib/python3.11']), lists);
    expect(rest).toEqual([]);
    expect(issue!.field).toBe('prune.custom[0]');
    expect(issue!.message).toMatch(
      /would remove 800 B of the 1000 B environment \(80%, estimated from the lock\)/,
    );
  });

  it('refuses a whole top-level folder only the lock knows (models), passes narrow and forced globs', () => {
    expect(customGlobIssues(recipe(['m*']), lists)[0]!.message).toMatch(/"models"/);
    expect(
      customGlobIssues(recipe(['share/doc', 'lib/python3.11/site-packages/svc']), lists),
    ).toEqual([]);
    expect(customGlobIssues(recipe(['lib/python3.11'], ['lib/python3.11']), lists)).toEqual([]);
  });

  it('condense dockerfile refuses a top-level glob naming the field and folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'condense-prune-guard-'));
    try {
      await writeFile(
        join(dir, 'condense.yml'),
        'version: 1\nprune:\n  preset: none\n  custom: ["?i?"]\n',
      );
      const result = await cli(['dockerfile', '--project', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /prune\.custom\[0\]: "\?i\?" removes the whole top-level folders "bin", "lib"/,
      );
      await writeFile(
        join(dir, 'condense.yml'),
        'version: 1\nprune:\n  preset: none\n  custom: [{glob: "?i?", force: true}]\n',
      );
      const forced = await cli(['dockerfile', '--project', dir]);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain('/env/?i?');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
