import { describe, expect, it } from 'vitest';

import type { ImageSpec } from '../../test/support/synthetic-trace';
import { packageOf, shuffle, traceInput } from '../../test/support/synthetic-trace';
import { generateDockerfile } from '../recipe/dockerfile';
import { selectorMatcher } from '../recipe/match';
import { defaultPrune } from '../recipe/model';
import { checkRecipe, customGlobProblem } from '../recipe/validate';
import type { TraceAnalysisInput, TraceSuggestion } from './model';
import { suggestTraced } from './suggest';

const PY = 'lib/python3.11';
const SP = `${PY}/site-packages`;

const image: ImageSpec = {
  '/usr/lib/libc.so.6': 1000,
  '/env/bin/python3.11': 100,
  '/env/bin/python': '-> python3.11',
  '/env/bin/sqlite3': 50,
  '/env/bin/xz': 40,
  '/env/lib/libpython3.11.so.1.0': 200,
  '/env/lib/libz.so': '-> libz.so.1.3',
  '/env/lib/libz.so.1': '-> libz.so.1.3',
  '/env/lib/libz.so.1.3': 10,
  '/env/lib/libzstd.so.1': 12,
  '/env/lib/libz.a': 30,
  '/env/lib/libssl.so.3': 60,
  '/env/lib/libcrypto.so.3': 90,
  '/env/include/zlib.h': 5,
  '/env/include/python3.11/Python.h': 7,
  [`/env/${PY}/json/__init__.py`]: 4,
  [`/env/${PY}/json/decoder.py`]: 3,
  [`/env/${PY}/json/__pycache__/decoder.cpython-311.pyc`]: 3,
  [`/env/${PY}/xml/__init__.py`]: 2,
  [`/env/${PY}/xml/dom/minidom.py`]: 9,
  [`/env/${PY}/abc.py`]: 3,
  [`/env/${PY}/__pycache__/abc.cpython-311.pyc`]: 3,
  [`/env/${PY}/antigravity.py`]: 1,
  [`/env/${PY}/__pycache__/antigravity.cpython-311.pyc`]: 1,
  [`/env/${PY}/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so`]: 20,
  [`/env/${PY}/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so`]: 8,
  [`/env/${SP}/six.py`]: 6,
  [`/env/${SP}/__pycache__/six.cpython-311.pyc`]: 7,
  [`/env/${SP}/numpy/__init__.py`]: 300,
  [`/env/${SP}/numpy/core/multiarray.so`]: 900,
  [`/env/${SP}/numpy-2.0.dist-info/METADATA`]: 2,
  [`/env/${SP}/requests/__init__.py`]: 5,
  [`/env/${SP}/requests/api.py`]: 6,
  '/env/share/doc/zlib/README': 4,
  '/env/share/doc/xz/README': 4,
  '/env/share/data/weird name.txt': 3,
  '/env/share/data/weird-name.txt': 3,
  '/env/share/data/über.txt': 3,
  '/env/share/licenses/LICENSE': 1,
  '/env/ssl/cacert.pem': 25,
  '/env/etc/stray.conf': 2,
  '/env/conda-meta/python-3.11.0-0.json': 9,
};

const used = [
  '/usr/lib/libc.so.6',
  '/env/bin/python',
  '/env/bin/python3.11',
  '/env/lib/libz.so.1',
  '/env/lib/libz.so.1.3',
  '/env/lib/libpython3.11.so.1.0',
  `/env/${PY}/json/__init__.py`,
  `/env/${PY}/abc.py`,
  `/env/${PY}/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so`,
  `/env/${SP}/__pycache__/six.cpython-311.pyc`,
  `/env/${SP}/requests/api.py`,
  // Listed by a check: stays, its unused children go.
  '/env/share/doc',
  '/env/share/data/weird-name.txt',
  '/env/ssl/cacert.pem',
];

const packages = [
  packageOf('python', image, [
    'bin/python3.11',
    'bin/python',
    'lib/libpython3.11.so.1.0',
    'include/python3.11/Python.h',
    `${PY}/json/__init__.py`,
    `${PY}/json/decoder.py`,
    `${PY}/xml/__init__.py`,
    `${PY}/xml/dom/minidom.py`,
    `${PY}/abc.py`,
    `${PY}/antigravity.py`,
    `${PY}/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so`,
    `${PY}/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so`,
  ]),
  packageOf('zlib', image, [
    'lib/libz.so',
    'lib/libz.so.1',
    'lib/libz.so.1.3',
    'lib/libz.a',
    'include/zlib.h',
  ]),
  packageOf('numpy', image, [`${SP}/numpy/__init__.py`, `${SP}/numpy/core/multiarray.so`]),
];

function input(overrides: Partial<TraceAnalysisInput> = {}): TraceAnalysisInput {
  const base = traceInput(image, { used, packages, keep: ['share/licenses', 'etc/empty'] });
  // A pinned folder with nothing in it.
  base.entries.push({ path: '/env/etc/empty', type: 'dir', size: 0 });
  return { ...base, ...overrides };
}

function removedBy(suggestion: TraceSuggestion, paths: string[]): string[] {
  const matches = selectorMatcher({ kind: 'paths', paths: suggestion.prune.custom }, '/env');
  return paths.filter((path) => matches({ path, type: 'file' }));
}

const safe = suggestTraced(input(), { id: 'safe', prune: defaultPrune('safe') });
const allGlobs = safe.groups.flatMap((g) => g.globs);

describe('suggestTraced', () => {
  it('removes what no check used, in few globs', () => {
    expect(allGlobs.sort()).toEqual(
      [
        // Not `etc` whole: the pinned etc/empty stays.
        'etc/stray.conf',
        // bin/sqlite3 is the safe preset's own (`sqlite-cli`): already gone, not named again.
        'bin/xz',
        // Siblings sharing a stem go together when no kept sibling has it.
        'lib/libcrypto.so.3',
        'lib/libssl.so.3',
        'lib/libzstd.so.1',
        'lib/libz.so',
        `${PY}/__pycache__/antigravity.cpython-311.pyc`,
        `${PY}/antigravity.py`,
        `${PY}/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so`,
        `${PY}/xml`,
        `${SP}/numpy`,
        'share/doc/xz',
        'share/doc/zlib',
        // `über.txt` becomes `*ber.txt` (no kept sibling matches); `weird name.txt` cannot be
        // written without taking the used `weird-name.txt`, so it stays.
        'share/data/*ber.txt',
      ].sort(),
    );
    expect(safe.from).toBe('safe');
    expect(safe.variantId).toBe('traced');
  });

  it('leaves out what the variant itself prunes (safe: include, static libs, sqlite3)', () => {
    expect(allGlobs.some((g) => g.startsWith('include'))).toBe(false);
    expect(allGlobs).not.toContain('lib/libz.a');
    expect(allGlobs).not.toContain('bin/sqlite3');
    expect(safe.prune.preset).toBe('safe');
  });

  it('keeps whole used Python packages, module caches, dist-info and the keep globs', () => {
    const kept = [
      `${PY}/json/decoder.py`,
      `${PY}/json/__pycache__/decoder.cpython-311.pyc`,
      `${PY}/__pycache__/abc.cpython-311.pyc`,
      `${SP}/six.py`,
      `${SP}/requests/__init__.py`,
      `${SP}/numpy-2.0.dist-info/METADATA`,
      'share/licenses/LICENSE',
      // Scanners read it; only the conda-meta rule removes it.
      'conda-meta/python-3.11.0-0.json',
      'share/data/weird name.txt',
      // The kept symlink `bin/python` leads here; `lib/libz.so` (unused link) goes.
      'lib/libz.so.1.3',
      'bin/python3.11',
    ];
    expect(removedBy(safe, kept)).toEqual([]);
    expect(removedBy(safe, ['share/doc', 'share/data/weird-name.txt', 'etc/empty'])).toEqual([]);
  });

  it('writes the traced variant with reasons, forces and bytes per group', () => {
    const reasons = safe.groups.map((g) => g.reason);
    expect(reasons).toContain('bin: programs no check ran');
    expect(reasons).toContain('lib/python3.11: standard library modules never imported');
    expect(reasons).toContain('lib/python3.11/site-packages: packages never imported (numpy)');
    const site = safe.groups.find((g) => g.reason.includes('site-packages'))!;
    expect(site).toEqual({
      reason: 'lib/python3.11/site-packages: packages never imported (numpy)',
      globs: [`${SP}/numpy`],
      forced: [`${SP}/numpy`],
      bytes: 1200,
    });
    expect(safe.groups[0]).toBe(site);
    expect(safe.removedBytes).toBe(safe.groups.reduce((s, g) => s + g.bytes, 0));
    expect(safe.prune.reasons?.['bin/xz']).toBe('bin: programs no check ran');
    expect(safe.prune.force).toEqual([`${SP}/numpy`]);
  });

  it('forces whole top-level folders and globs over half the environment', () => {
    const none = suggestTraced(input(), defaultPrune('none'));
    expect(none.from).toBe('safe');
    const forced = none.groups.flatMap((g) => g.forced);
    // numpy alone is most of the locked environment.
    expect(forced.sort()).toEqual([`${SP}/numpy`, 'include'].sort());
    expect(none.prune.force?.sort()).toEqual(forced.sort());
    const problems = none.prune.custom.map((g) => customGlobProblem(g, forced.includes(g)));
    expect(problems.filter(Boolean)).toEqual([]);
    expect(customGlobProblem('include')).not.toBeNull();
  });

  it('validates as a condense.yml variant and renders its rm lines', () => {
    const { recipe, issues } = checkRecipe({ variants: [{ id: 'traced', prune: safe.prune }] });
    expect(issues).toEqual([]);
    const dockerfile = generateDockerfile(recipe);
    for (const glob of allGlobs) expect(dockerfile).toContain(`rm -rf /env/${glob}`);
  });

  it('gives the same suggestion for the same input in any order', () => {
    const base = input();
    const shuffled = {
      ...base,
      entries: shuffle(base.entries, 7),
      used: new Set(shuffle([...base.used], 3)),
    };
    expect(suggestTraced(shuffled, defaultPrune('safe'))).toEqual(
      suggestTraced(base, defaultPrune('safe')),
    );
  });

  it('names a site-packages removed whole', () => {
    const spec: ImageSpec = {
      '/env/bin/python3.11': 1,
      [`/env/${SP}/flask/__init__.py`]: 5,
    };
    const suggestion = suggestTraced(
      // Python listed its library folder but imported nothing from site-packages.
      traceInput(spec, { used: ['/env/bin/python3.11', `/env/${PY}`] }),
      defaultPrune('none'),
    );
    expect(suggestion.groups).toEqual([
      {
        reason: 'lib/python3.11/site-packages: packages never imported (all of them)',
        globs: [SP],
        forced: [],
        bytes: 5,
      },
    ]);
  });
});

describe('libraries of extension modules kept with their package', () => {
  const spec: ImageSpec = {
    '/env/bin/python3.11': 100,
    [`/env/${SP}/scipy/__init__.py`]: 10,
    [`/env/${SP}/scipy/optimize/_lbfgsb.so`]: 50,
    '/env/lib/liblbfgsb.so.0': '-> liblbfgsb.so.0.1',
    '/env/lib/liblbfgsb.so.0.1': 70,
    '/env/lib/libgfortran.so.5': 80,
    '/env/lib/libunused.so.1': 90,
  };
  const withElf = (input: TraceAnalysisInput): TraceAnalysisInput => ({
    ...input,
    entries: input.entries.map((e) =>
      e.path.endsWith('/_lbfgsb.so')
        ? { ...e, needed: ['liblbfgsb.so.0', 'libc.so.6'], runpath: ['$ORIGIN/../../../..'] }
        : e.path.endsWith('/liblbfgsb.so.0.1')
          ? { ...e, needed: ['libgfortran.so.5'] }
          : e,
    ),
  });
  const input = withElf(
    traceInput(spec, { used: ['/env/bin/python3.11', `/env/${SP}/scipy/__init__.py`] }),
  );

  it('keeps the DT_NEEDED closure of a never-loaded extension module of an imported package', () => {
    const suggestion = suggestTraced(input, { id: 'safe', prune: defaultPrune('none') });
    const removed = (path: string) =>
      suggestion.prune.custom.some((glob) =>
        selectorMatcher({ kind: 'paths', paths: [glob] }, '/env')({ path, type: 'file' }),
      );
    // Found through $ORIGIN/../../../.. (site-packages/scipy/optimize -> lib), symlink followed.
    expect(removed('lib/liblbfgsb.so.0')).toBe(false);
    expect(removed('lib/liblbfgsb.so.0.1')).toBe(false);
    // Needed by the library itself, found in the prefix's lib.
    expect(removed('lib/libgfortran.so.5')).toBe(false);
    expect(removed('lib/libunused.so.1')).toBe(true);
  });
});
