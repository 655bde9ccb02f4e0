import type { InstalledFile, PackageFileList } from '../../../shared/recipe/savings';
import type { PackageMetadata } from './conda-package-reader';

/** `3.11` from the locked python package, which noarch python packages install under. */
export function pythonVersionOf(packages: PackageMetadata[]): string | undefined {
  const python = packages.find((p) => p.index.name === 'python');
  return python ? /^(\d+\.\d+)/.exec(python.index.version)?.[1] : undefined;
}

/**
 * conda writes `conda-meta/<name>-<version>-<build>.json` at install; it is not in paths.json, so its
 * size is modelled on real conda's record: about 1.5 kB of package fields, then per file a `files`
 * entry and a `paths_data` entry with two sha256 sums and the size (indent 2).
 */
export function condaMetaSize(files: readonly { path: string }[]): number {
  let size = CONDA_META_BASE;
  for (const file of files) size += 2 * file.path.length + CONDA_META_PER_FILE;
  return size;
}

const CONDA_META_BASE = 1500;
const CONDA_META_PER_FILE = 260;

/**
 * conda compiles the `.py` files of noarch python packages at install (they ship none): their
 * `__pycache__/<name>.cpython-XY.pyc`, where python's importlib would look for them.
 */
export function pycPath(path: string, pythonVersion: string): string {
  const slash = path.lastIndexOf('/');
  const tag = `cpython-${pythonVersion.replace('.', '')}`;
  return `${path.slice(0, slash + 1)}__pycache__/${path.slice(slash + 1, -3)}.${tag}.pyc`;
}

/**
 * A pyc is about 1.14 times its source (measured over Debian's python 3.11 stdlib and
 * dist-packages: 2,217 files, 30.5 MB of .py, 34.8 MB of .pyc), and never under a small header.
 */
export function pycSize(sourceBytes: number): number {
  return Math.max(PYC_MIN, Math.round(sourceBytes * PYC_RATIO));
}

const PYC_RATIO = 1.14;
const PYC_MIN = 120;

/**
 * Where a package's files land in the environment: noarch python packages keep modules under
 * `site-packages/` and scripts under `python-scripts/`, which conda moves to `lib/pythonX.Y/site-packages`
 * and `bin` at install, compiling a pyc for each module.
 */
export function installedFiles(
  metadata: PackageMetadata,
  pythonVersion: string | undefined,
): PackageFileList {
  const noarchPython = metadata.index.noarch === 'python' && pythonVersion !== undefined;
  const files: InstalledFile[] = [];
  for (const entry of metadata.paths) {
    if (entry.type === 'directory') continue;
    let path = entry.path;
    if (noarchPython) {
      if (path.startsWith('site-packages/')) path = `lib/python${pythonVersion}/${path}`;
      else if (path.startsWith('python-scripts/'))
        path = `bin/${path.slice('python-scripts/'.length)}`;
    }
    files.push({ path, size: entry.type === 'symlink' ? 0 : entry.size, type: entry.type });
    if (noarchPython && entry.type === 'file' && path.endsWith('.py')) {
      files.push({ path: pycPath(path, pythonVersion), size: pycSize(entry.size), type: 'file' });
    }
  }
  files.push({
    path: `conda-meta/${metadata.index.name}-${metadata.index.version}-${metadata.index.build}.json`,
    size: condaMetaSize(files),
    type: 'file',
  });
  return {
    name: metadata.index.name,
    version: metadata.index.version,
    build: metadata.index.build,
    files,
  };
}
