import { describe, expect, it } from 'vitest';

import type { ImageSpec } from '../../test/support/synthetic-trace';
import { packageOf, seededRandom, shuffle, traceInput } from '../../test/support/synthetic-trace';
import { selectorMatcher } from '../recipe/match';
import type { PruneSettings } from '../recipe/model';
import { defaultPrune } from '../recipe/model';
import { SAFE_PATH } from '../recipe/quote';
import { checkRecipe, customGlobProblem } from '../recipe/validate';
import { keepPlan } from './keep';
import { suggestTraced } from './suggest';

const FOLDERS = [
  'bin',
  'lib',
  'lib/python3.11',
  'lib/python3.11/__pycache__',
  'lib/python3.11/site-packages',
  'lib/python3.11/site-packages/alpha',
  'lib/python3.11/site-packages/alpha/sub',
  'lib/python3.11/site-packages/beta-1.0.dist-info',
  'share',
  'share/doc',
  'share/doc/x y',
  'etc',
  'include',
];
// Shared stems, dot files, and names the Dockerfile cannot carry (space, brackets, non-ASCII).
const NAMES = [
  'libq.so',
  'libq.so.1',
  'libq.so.1.2',
  'libr.so.1',
  'mod.py',
  'run',
  '.hidden',
  'a b',
  'ü.txt',
  'b[1]',
  'x.tar.gz',
  'x',
];

function randomImage(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const spec: ImageSpec = { '/usr/lib/libc.so.6': 100 };
  const count = 10 + Math.floor(random() * 40);
  for (let i = 0; i < count; i += 1) {
    const folder = pick(FOLDERS);
    let name = pick(NAMES);
    if (folder.endsWith('__pycache__')) name = `${pick(['mod', 'os', 'abc'])}.cpython-311.pyc`;
    spec[`/env/${folder}/${name}`] = 1 + Math.floor(random() * 1000);
  }
  const files = Object.keys(spec).filter((p) => p.startsWith('/env/'));
  const folders = FOLDERS.map((f) => `/env/${f}`);
  const used = [
    ...files.filter(() => random() < 0.2),
    ...folders.filter(() => random() < 0.15),
    '/usr/lib/libc.so.6',
  ];
  const owned = files.filter(() => random() < 0.7).map((p) => p.slice('/env/'.length));
  const keep = random() < 0.5 ? [pick(['share/doc', 'bin/r*', 'lib/libq.so.1'])] : [];
  const input = traceInput(spec, { used, packages: [packageOf('pkg', spec, owned)], keep });
  const settings: PruneSettings = random() < 0.5 ? defaultPrune('none') : defaultPrune('safe');
  return { input, settings, files: files.map((p) => p.slice('/env/'.length)) };
}

describe('suggestTraced over generated images', () => {
  for (let seed = 1; seed <= 60; seed += 1) {
    it(`removes exactly what is not kept (seed ${seed})`, () => {
      const { input, settings, files } = randomImage(seed);
      const suggestion = suggestTraced(input, settings);
      const plan = keepPlan(input, settings);
      const custom = suggestion.prune.custom.slice(settings.custom.length);
      const forced = new Set(suggestion.prune.force ?? []);

      for (const glob of custom) expect(customGlobProblem(glob, forced.has(glob)), glob).toBeNull();
      expect(checkRecipe({ prune: suggestion.prune }).issues).toEqual([]);

      const matches = selectorMatcher({ kind: 'paths', paths: custom }, '/env');
      const removed = files.filter((path) => matches({ path, type: 'file' }));
      const removable = new Set(plan.removable.map((f) => f.rel!));
      for (const path of removed) {
        expect(plan.kept.has(path), `${path} is kept`).toBe(false);
        expect(removable.has(path) || plan.alreadyPruned.has(path), path).toBe(true);
      }
      for (const folder of plan.usedFolders)
        expect(matches({ path: folder, type: 'file' }), folder).toBe(false);
      // Every removable file whose path can be written as it is goes.
      for (const path of removable) if (SAFE_PATH.test(path)) expect(removed, path).toContain(path);

      const sizes = new Map(plan.removable.map((f) => [f.rel!, f.size]));
      const removedBytes = removed.reduce((sum, p) => sum + (sizes.get(p) ?? 0), 0);
      expect(suggestion.removedBytes).toBe(removedBytes);

      const again = suggestTraced(
        {
          ...input,
          entries: shuffle(input.entries, seed),
          used: new Set(shuffle([...input.used], seed)),
        },
        settings,
      );
      expect(again).toEqual(suggestion);
    });
  }
});
