import { describe, expect, it } from 'vitest';

import type { PackageSpace } from '../../../shared/recipe/space';
import { layoutSpace } from './space-layout';

const pkg = (name: string, folders: [string, number, Record<string, number>][]): PackageSpace => ({
  name,
  version: '1',
  installedBytes: folders.reduce((s, [, b]) => s + b, 0),
  files: folders.length,
  folders: folders.map(([path, bytes, removed]) => ({ path, bytes, files: 1, removed })),
});

describe('layoutSpace', () => {
  const space = [
    pkg('python', [
      ['lib/python3.11', 600, { pycache: 100 }],
      ['lib', 200, {}],
      ['share/man', 1, {}],
    ]),
    pkg('numpy', [['lib/python3.11/site-packages/numpy/tests', 200, { tests: 200, pycache: 50 }]]),
  ];

  it('gives packages areas in proportion to their bytes, folders inside their package', () => {
    const { packages, cells } = layoutSpace(space, new Set(), 400, 300);
    expect(packages.map((p) => p.name)).toEqual(['python', 'numpy']);
    const area = (p: { width: number; height: number }) => p.width * p.height;
    const ratio = area(packages[0]!) / area(packages[1]!);
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(5.5);
    for (const cell of cells) {
      const frame = packages.find((p) => p.name === cell.packageName)!;
      expect(cell.x).toBeGreaterThanOrEqual(frame.x);
      expect(cell.x + cell.width).toBeLessThanOrEqual(frame.x + frame.width);
    }
    // A folder under 2% of its package joins "other folders".
    expect(cells.map((c) => c.folder)).toContain('other folders');
  });

  it('counts what the enabled rules remove, capped at the folder', () => {
    const { packages } = layoutSpace(space, new Set(['pycache', 'tests']), 400, 300);
    expect(packages.find((p) => p.name === 'python')!.removedBytes).toBe(100);
    expect(packages.find((p) => p.name === 'numpy')!.removedBytes).toBe(200);
    expect(layoutSpace(space, new Set(), 400, 300).packages[0]!.removedBytes).toBe(0);
  });
});
