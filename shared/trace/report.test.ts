import { describe, expect, it } from 'vitest';

import type { ImageSpec } from '../../test/support/synthetic-trace';
import { packageOf, traceInput } from '../../test/support/synthetic-trace';
import { CONDA_METADATA, NO_PACKAGE, YOUR_FILES, YOUR_PACKAGE } from './image-files';
import { traceReport } from './report';

const SP = 'lib/python3.11/site-packages';

const image: ImageSpec = {
  '/usr/lib/libc.so.6': 1000,
  '/env/bin/python3.11': 100,
  '/env/bin/python': '-> python3.11',
  '/env/bin/sqlite3': 50,
  '/env/lib/libpython3.11.so.1.0': 200,
  '/env/lib/libz.so.1': 10,
  '/env/lib/libz.a': 30,
  '/env/include/zlib.h': 5,
  '/env/lib/python3.11/json/__init__.py': 4,
  '/env/lib/python3.11/json/decoder.py': 3,
  [`/env/${SP}/six.py`]: 6,
  [`/env/${SP}/__pycache__/six.cpython-311.pyc`]: 7,
  [`/env/${SP}/myapp/__init__.py`]: 8,
  [`/env/${SP}/my_app-0.1.dist-info/METADATA`]: 1,
  '/env/etc/stray.conf': 2,
  '/env/conda-meta/python-3.11.0-0.json': 9,
  '/app/model.pkl': 20,
};

const packages = [
  packageOf('python', image, [
    'bin/python3.11',
    'bin/python',
    'lib/libpython3.11.so.1.0',
    'lib/python3.11/json/__init__.py',
    'lib/python3.11/json/decoder.py',
    'conda-meta/python-3.11.0-0.json',
  ]),
  packageOf('sqlite', image, ['bin/sqlite3']),
  packageOf('zlib', image, ['lib/libz.so.1', 'lib/libz.a', 'include/zlib.h']),
  // noarch: its pyc, compiled by conda at install, is not in its file list.
  packageOf('six', image, [`${SP}/six.py`]),
];

const used = [
  '/usr/lib/libc.so.6',
  '/env/bin/python',
  '/env/bin/python3.11',
  '/env/lib/libpython3.11.so.1.0',
  '/env/lib/libz.so.1',
  '/env/lib/python3.11/json/__init__.py',
  `/env/${SP}/six.py`,
  `/env/${SP}/__pycache__/six.cpython-311.pyc`,
  `/env/${SP}/myapp/__init__.py`,
  '/app/model.pkl',
];

const report = traceReport(
  traceInput(image, { used, packages, files: [{ from: 'model.pkl', to: '/app/model.pkl' }] }),
);

describe('traceReport', () => {
  it('counts the base as used and everything else by what the checks touched', () => {
    expect(report.baseBytes).toBe(1000);
    expect(report.usedBytes).toBe(100 + 200 + 10 + 4 + 6 + 7 + 8 + 20);
    expect(report.shippedBytes).toBe(
      Object.values(image).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0),
    );
    expect(report.limitBytes).toBe(report.usedBytes + 1000);
  });

  it('names the owners, pseudo packages included, largest first', () => {
    const owners = Object.fromEntries(
      report.packages.map((p) => [p.name, [p.usedBytes, p.shippedBytes]]),
    );
    expect(owners).toEqual({
      python: [304, 307],
      sqlite: [0, 50],
      zlib: [10, 45],
      // The pyc compiled at install belongs to six.py's owner.
      six: [13, 13],
      [YOUR_PACKAGE]: [8, 9],
      [YOUR_FILES]: [20, 20],
      [CONDA_METADATA]: [0, 9],
      [NO_PACKAGE]: [0, 2],
    });
    expect(report.packages[0]!.name).toBe('python');
    expect(report.packages.some((p) => p.name === 'libc')).toBe(false);
  });

  it('splits packages into folders with the unused bytes each rule removes there', () => {
    const zlib = report.packages.find((p) => p.name === 'zlib')!;
    expect(zlib.folders).toEqual([
      { path: 'lib', usedBytes: 10, shippedBytes: 40, unusedRemovedBy: { 'static-libs': 30 } },
      { path: 'include', usedBytes: 0, shippedBytes: 5, unusedRemovedBy: { include: 5 } },
    ]);
    const files = report.packages.find((p) => p.name === YOUR_FILES)!;
    expect(files.folders.map((f) => f.path)).toEqual(['/app']);
  });

  it('warns about a rule that removes used files (the expert libpython rule)', () => {
    const libpython = report.rules.find((r) => r.id === 'libpython')!;
    expect(libpython.usedBytes).toBe(200);
    expect(libpython.usedExamples).toEqual(['/env/lib/libpython3.11.so.1.0']);
    const staticLibs = report.rules.find((r) => r.id === 'static-libs')!;
    expect(staticLibs).toMatchObject({ unusedBytes: 30, usedBytes: 0, usedExamples: [] });
    // The pycache rule would remove a used pyc.
    expect(report.rules.find((r) => r.id === 'pycache')!.usedBytes).toBe(7);
  });

  it('lists the largest unused files outside the base', () => {
    expect(report.largestUnused.slice(0, 3)).toEqual([
      { path: '/env/bin/sqlite3', bytes: 50, package: 'sqlite' },
      { path: '/env/lib/libz.a', bytes: 30, package: 'zlib' },
      { path: '/env/conda-meta/python-3.11.0-0.json', bytes: 9, package: CONDA_METADATA },
    ]);
    expect(report.largestUnused.every((f) => !used.includes(f.path))).toBe(true);
  });

  it('takes only paths of basePaths for the base when the tracer knows them', () => {
    const input = traceInput(image, { used, packages });
    const known = traceReport({ ...input, basePaths: new Set(['/usr/lib/libc.so.6']) });
    expect(known.baseBytes).toBe(1000);
    // /app/model.pkl is no `files:` target here and not in the base: the build made it.
    expect(known.packages.find((p) => p.name === NO_PACKAGE)!.shippedBytes).toBe(22);
    expect(traceReport(input).baseBytes).toBe(1020);
  });

  it('tells the own package apart from stray files when several dist-infos are unowned', () => {
    const spec: ImageSpec = {
      [`/env/${SP}/myapp/__init__.py`]: 8,
      [`/env/${SP}/myapp-0.1.dist-info/METADATA`]: 1,
      [`/env/${SP}/other-2.0.dist-info/METADATA`]: 1,
      [`/env/${SP}/stray/__init__.py`]: 4,
    };
    const owners = traceReport(traceInput(spec, { used: [] })).packages.map((p) => [
      p.name,
      p.shippedBytes,
    ]);
    expect(owners).toEqual([
      [YOUR_PACKAGE, 10],
      [NO_PACKAGE, 4],
    ]);
  });
});
