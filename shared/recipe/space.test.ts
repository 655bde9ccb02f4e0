import { describe, expect, it } from 'vitest';

import { resolvePrune } from './prune-commands';
import { estimateSavings } from './savings';
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
    expect(space[1]!.folders).toEqual([
      { path: '.', bytes: 1, files: 1, removed: {}, overlaps: {} },
    ]);
  });

  it('counts a file several rules match once, for every set of rules, as estimateSavings does', () => {
    // Test suites hold bytecode caches and Cython sources: three rules meet in the same files.
    const site = 'lib/python3.11/site-packages/pkg';
    const files = [
      `${site}/tests/__pycache__/test_a.cpython-311.pyc`,
      `${site}/tests/test_a.py`,
      `${site}/tests/helper.pyx`,
      `${site}/__pycache__/core.cpython-311.pyc`,
      `${site}/core.py`,
      `${site}/_fast.pyx`,
      'lib/libpkg.a',
      'include/pkg.h',
    ].map((path, i) => ({ path, type: 'file' as const, size: 10 + i * 7 }));
    const packages = [{ name: 'pkg', version: '1', build: '0', files }];
    const custom = [`${site}/tests`, `${site}/tests/__pycache__`];
    const all = resolvePrune(
      {
        preset: 'none',
        add: ['pycache', 'package-tests', 'cython-sources', 'static-libs', 'include'],
        remove: [],
        custom,
      },
      'linux-64',
    );
    const space = environmentSpace(packages, all, '/env');
    const ids = all.map((r) => r.id);
    const overlapping = space[0]!.folders.flatMap((f) => Object.keys(f.overlaps ?? {}));
    expect(overlapping).toContain(
      ['pycache', 'package-tests', `custom:${site}/tests`, `custom:${site}/tests/__pycache__`].join(
        '\n',
      ),
    );
    // Every subset of the rules: 2^7 of them.
    for (let mask = 0; mask < 1 << ids.length; mask++) {
      const enabled = new Set(ids.filter((_, i) => mask & (1 << i)));
      const exact = estimateSavings(
        packages,
        all.filter((r) => enabled.has(r.id)),
        '/env',
      ).totalBytes;
      const summed = space[0]!.folders.reduce((sum, f) => sum + removedBy(f, enabled), 0);
      expect(summed, [...enabled].join(', ')).toBe(exact);
    }
  });

  it('stays an upper bound, capped at the folder, for data without overlaps', () => {
    const folder = { path: 'x', bytes: 10, files: 2, removed: { a: 8, b: 8 } };
    expect(removedBy(folder, new Set(['a', 'b']))).toBe(10);
    expect(removedBy({ ...folder, overlaps: { 'a\nb': 6 } }, new Set(['a', 'b']))).toBe(10);
    expect(removedBy({ ...folder, overlaps: { 'a\nb': 8 } }, new Set(['a', 'b']))).toBe(8);
  });
});
