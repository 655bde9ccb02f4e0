/**
 * Where Python keeps things in a conda prefix, as paths relative to the prefix: the standard library
 * in `lib/pythonX.Y/`, installed packages in `lib/pythonX.Y/site-packages/`, and bytecode beside its
 * source in `__pycache__/<module>.<tag>.pyc` (PEP 3147; see `pycPath` in installed-files.ts).
 */

const PYTHON_LIB = /^lib\/python\d+\.\d+$/;
const PYC = /^(.*\/)?__pycache__\/([^/.]+)\.[^/]+\.pyc$/;

/** `lib/python3.11` when `path` is inside a Python library folder, else undefined. */
export function pythonLibOf(path: string): string | undefined {
  const lib = path.split('/').slice(0, 2).join('/');
  return PYTHON_LIB.test(lib) ? lib : undefined;
}

/** The source of a cached module: `a/__pycache__/x.cpython-311.pyc` -> `a/x.py`. */
export function pycSource(path: string): string | undefined {
  const match = PYC.exec(path);
  return match ? `${match[1] ?? ''}${match[2]}.py` : undefined;
}

/** Whether `pyc` is a cache of the module `py` (any interpreter tag or optimization level). */
export function isPycOf(pyc: string, py: string): boolean {
  return py.endsWith('.py') && pycSource(pyc) === py;
}

// Folders of the library that hold many independent modules, not one package: removing one module
// of them must not take the others, and using one must not keep them all.
const NOT_A_PACKAGE = new Set(['site-packages', '__pycache__', 'lib-dynload']);

/**
 * The Python package (a folder imported as one) a file belongs to: `lib/python3.11/json` for the
 * standard library's `json/decoder.py`, `lib/python3.11/site-packages/numpy` for numpy's files.
 * Top-level module files (`six.py`) and the modules of `lib-dynload` belong to none.
 */
export function pythonPackageOf(path: string): string | undefined {
  const lib = pythonLibOf(path);
  if (!lib) return undefined;
  const parts = path.split('/');
  if (parts[2] === 'site-packages') {
    if (parts.length < 5 || NOT_A_PACKAGE.has(parts[3]!)) return undefined;
    return parts.slice(0, 4).join('/');
  }
  if (parts.length < 4 || NOT_A_PACKAGE.has(parts[2]!)) return undefined;
  return parts.slice(0, 3).join('/');
}

/** The entry of site-packages a path is in (`numpy`, `six.py`, `numpy-2.0.dist-info`), or undefined. */
export function sitePackagesEntryOf(path: string): string | undefined {
  const parts = path.split('/');
  if (!pythonLibOf(path) || parts[2] !== 'site-packages' || parts.length < 4) return undefined;
  return parts[3];
}

/** Package metadata that importlib.metadata reads: `*.dist-info` and `*.egg-info` in site-packages. */
export function isDistributionMetadata(path: string): boolean {
  const entry = sitePackagesEntryOf(path);
  return entry !== undefined && /\.(?:dist|egg)-info$/.test(entry);
}

/** A distribution or module name as PEP 503 compares them: `My.Service` and `my-service` -> `my_service`. */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/** The project a `*.dist-info` / `*.egg-info` entry describes: `my_service-0.1.dist-info` -> `my_service`. */
export function distributionName(entry: string): string {
  // Wheels and eggs write the name with `_` for `-`, so the first `-` ends it.
  return normalizedName(entry.replace(/\.(?:dist|egg)-info$/, '').split('-')[0]!);
}

/** The import name a site-packages entry provides: `six.py`, `_cffi.cpython-311-x86_64-linux-gnu.so` -> `six`, `_cffi`. */
export function moduleNameOf(entry: string): string {
  return normalizedName(entry.split('.')[0]!);
}
