import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

// setuptools' automatic discovery (setuptools/discovery.py, FlatLayoutPackageFinder and
// FlatLayoutModuleFinder DEFAULT_EXCLUDE): folders and modules of a flat layout that are never
// shipped. A src layout ships everything under src/.
const FLAT_PACKAGE_EXCLUDE = new Set(
  'ci bin doc docs documentation manpages news changelog test tests unit_test unit_tests example examples scripts tools util utils python build dist venv env requirements tasks fabfile site_scons benchmark benchmarks exercise exercises'.split(
    ' ',
  ),
);
const FLAT_MODULE_EXCLUDE = new Set(
  'setup conftest test tests example examples build toxfile noxfile pavement dodo tasks fabfile sconstruct conanfile manage benchmark benchmarks exercise exercises'.split(
    ' ',
  ),
);
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * The top-level modules the own package installs, found the way setuptools' automatic discovery
 * finds them: `src/<name>/` (src layout) or `<name>/__init__.py` folders and `<name>.py` files at the
 * top, minus tests, docs, setup.py and the like. The smoke test imports them.
 */
export async function ownPackageModules(packageDir: string): Promise<string[]> {
  const src = join(packageDir, 'src');
  const srcLayout = await isDir(src);
  const where = srcLayout ? src : packageDir;
  const names = await readdir(where).catch(() => [] as string[]);
  const modules = new Set<string>();
  for (const name of names.sort()) {
    const path = join(where, name);
    if (name.endsWith('.py')) {
      const module = name.slice(0, -3);
      if (!IDENTIFIER.test(module)) continue;
      if (!srcLayout && FLAT_MODULE_EXCLUDE.has(module.toLowerCase())) continue;
      if (await isFile(path)) modules.add(module);
    } else if (IDENTIFIER.test(name) && (await isDir(path))) {
      if (!srcLayout && FLAT_PACKAGE_EXCLUDE.has(name)) continue;
      // A src layout may hold namespace packages (no __init__.py); a flat layout needs the marker.
      if (srcLayout || (await isFile(join(path, '__init__.py')))) modules.add(name);
    }
  }
  return [...modules];
}
