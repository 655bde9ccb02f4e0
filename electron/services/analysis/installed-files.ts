import type { InstalledFile, PackageFileList } from '../../../shared/recipe/savings';
import type { PackageMetadata } from './conda-package-reader';

/** `3.11` from the locked python package, which noarch python packages install under. */
export function pythonVersionOf(packages: PackageMetadata[]): string | undefined {
  const python = packages.find((p) => p.index.name === 'python');
  return python ? /^(\d+\.\d+)/.exec(python.index.version)?.[1] : undefined;
}

/**
 * Where a package's files land in the environment: noarch python packages keep modules under
 * `site-packages/` and scripts under `python-scripts/`, which conda moves to `lib/pythonX.Y/site-packages`
 * and `bin` at install.
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
  }
  return {
    name: metadata.index.name,
    version: metadata.index.version,
    build: metadata.index.build,
    files,
  };
}
