import { describe, expect, it } from 'vitest';

import { resolvePrune } from './prune-commands';
import { environmentSpace, removedBy } from './space';

describe('environmentSpace', () => {
  it('sums packages by folder, with what each rule removes there', () => {
    const rules = resolvePrune(
      { preset: 'none', add: [], remove: [], custom: ['lib/python3.11/site-packages/numpy/tests'] },
      'linux-64',
    );
    const space = environmentSpace(
      [
        {
          name: 'numpy',
          version: '1.26',
          build: '0',
          files: [
            { path: 'lib/python3.11/site-packages/numpy/core/a.so', type: 'file', size: 30 },
            { path: 'lib/python3.11/site-packages/numpy/tests/t.py', type: 'file', size: 4 },
            { path: 'lib/python3.11/site-packages/numpy/tests/u.py', type: 'file', size: 2 },
            { path: 'LICENSE', type: 'file', size: 1 },
          ],
        },
        {
          name: 'tiny',
          version: '1',
          build: '0',
          files: [{ path: 'LICENSE', type: 'file', size: 1 }],
        },
      ],
      rules,
      '/env',
    );
    const numpy = space[0]!;
    expect(numpy.name).toBe('numpy');
    // LICENSE was clobbered by the later package.
    expect(numpy.installedBytes).toBe(36);
    expect(numpy.folders.map((f) => [f.path, f.bytes])).toEqual([
      ['lib/python3.11/site-packages/numpy/core', 30],
      ['lib/python3.11/site-packages/numpy/tests', 6],
    ]);
    const id = rules[0]!.id;
    expect(removedBy(numpy.folders[1]!, new Set([id]))).toBe(6);
    expect(removedBy(numpy.folders[1]!, new Set())).toBe(0);
    expect(removedBy(numpy.folders[0]!, new Set([id]))).toBe(0);
    expect(space[1]!.folders).toEqual([{ path: '.', bytes: 1, files: 1, removed: {} }]);
  });
});
