import { CondenseError } from '../api/errors';

/**
 * Smoke-test helpers: which Python modules a locked package provides, and the import command.
 */

/**
 * Top-level importable modules from package file paths (conda `info/paths.json` entries relative to
 * the prefix, or wheel RECORD paths): `lib/python3.11/site-packages/numpy/__init__.py` gives `numpy`,
 * `.../site-packages/six.py` gives `six`, extension modules `_foo.cpython-311-x86_64-linux-gnu.so` give
 * `_foo`. Metadata folders (`*.dist-info`, `*.egg-info`), `__pycache__`, `.pth` files and private
 * names (leading `_`) are left out, since importing them is not what users do.
 */
export function topLevelModules(paths: string[]): string[] {
  const modules = new Set<string>();
  for (const raw of paths) {
    const path = raw.replace(/\\/g, '/');
    const match = /(?:^|\/)(?:site-packages|dist-packages)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) continue;
    const first = match[1]!;
    const inside = match[2];
    let name: string | undefined;
    if (inside) {
      // A package folder counts when it holds an __init__ or any module (namespace packages).
      if (/\.(dist|egg)-info$|^__pycache__$|\.data$/.test(first)) continue;
      if (/\/__init__\.py$|\.py$|\.so$|\.pyd$/.test(inside)) name = first;
    } else if (first.endsWith('.py')) name = first.slice(0, -3);
    else if (/\.(so|pyd)$/.test(first)) name = first.split('.')[0];
    if (name && /^[A-Za-z][A-Za-z0-9_]*$/.test(name)) modules.add(name);
  }
  return [...modules].sort();
}

/** The Python source that imports every module (one statement, so it fails on the first missing one). */
export function importSource(modules: string[]): string {
  for (const module of modules) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(module)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `"${module}" is not a Python module name: use dotted identifiers such as numpy or scipy.linalg.`,
      );
    }
  }
  return `import ${modules.join(', ')}`;
}

/**
 * Top-level modules the default smoke test imports. Left out, because importing them says nothing about
 * whether the user's code runs, or fails for reasons that are not the image's fault:
 * - packaging tools (pip, setuptools, wheel, pkg_resources, easy_install): production code does not
 *   import them, and the `pip` prune rule removes pip on purpose;
 * - test suites and samples shipped as top-level folders (tests, test, testing, conftest, examples,
 *   docs, benchmarks): they import pytest or fixtures the image need not have;
 * - private modules (leading `_`) and metadata folders, already skipped by `topLevelModules`.
 */
const NOT_IMPORTED = new Set([
  'pip',
  'setuptools',
  'wheel',
  'pkg_resources',
  'easy_install',
  'tests',
  'test',
  'testing',
  'conftest',
  'examples',
  'docs',
  'benchmarks',
]);

/** What the lock offers to import, or why there is nothing. */
export interface LockImports {
  modules: string[];
  /** Set when `modules` is empty: why no import check can run. */
  reason?: string;
}

/**
 * The default import list of a locked environment: the top-level modules of every package's
 * site-packages files (paths as installed, noarch python mapped), minus `NOT_IMPORTED`.
 */
export function lockImportModules(
  packages: { name: string; files: { path: string }[] }[],
): LockImports {
  const modules = new Set<string>();
  for (const pkg of packages) {
    for (const module of topLevelModules(pkg.files.map((f) => f.path))) {
      if (!NOT_IMPORTED.has(module)) modules.add(module);
    }
  }
  if (modules.size > 0) return { modules: [...modules].sort() };
  const hasPython = packages.some((p) => p.name === 'python');
  return {
    modules: [],
    reason: hasPython
      ? 'no locked package has importable Python modules (only python itself or tools): add a check command or modules to import'
      : 'no Python in the lock: nothing to import; add a check command to smoke-test this image',
  };
}
