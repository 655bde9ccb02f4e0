import { lstat, mkdir, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { ExportResult } from '../../../shared/api/recipe';
import type { Recipe } from '../../../shared/recipe/model';
import { cacheDir } from '../channels/channel-url';
import { deliveryFiles } from '../delivery/delivery-files';
import { writeFileAtomic } from '../fs/atomic-write';
import { environmentVariables } from '../project/environment-store';
import { generatedFiles } from '../recipe/generated-files';
import { loadRecipe } from '../recipe/recipe-file';
import { exportReadme } from './export-readme';

export interface ExportOptions {
  projectDir: string;
  /** The folder the user chose; created when missing. */
  dir: string;
  /** Overwrite files that are already there. */
  force?: boolean;
  /** Defaults to the project's condense.yml. */
  recipe?: Recipe;
  /** User cache root (package metadata for the SBOM and the smoke imports); defaults to `cacheDir()`. */
  cacheRoot?: string;
  signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Lockfiles of the project: the recipe's explicit file, other `conda-*.lock` files, conda-lock.yml. */
async function lockfilesOf(projectDir: string, recipe: Recipe): Promise<string[]> {
  const names = (await readdir(projectDir)).filter(
    (name) => /^conda-[A-Za-z0-9_-]+\.lock$/.test(name) || name === 'conda-lock.yml',
  );
  if (!names.includes(recipe.lockfile)) {
    throw new CondenseError(
      'NOT_FOUND',
      `No lockfile ${recipe.lockfile} in ${projectDir}: lock the environment first (condense lock)`,
    );
  }
  return names.sort();
}

/** A path inside `dir`, or an error: file names never climb out of the chosen folder. */
function inside(dir: string, name: string): string {
  const target = resolve(dir, name);
  const rel = relative(dir, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes(`..${sep}`)) {
    throw new CondenseError('PERMISSION_DENIED', `Refusing to write ${name} outside ${dir}`);
  }
  return target;
}

/**
 * Writes everything needed to build the image without Condense: Dockerfile, .dockerignore,
 * environment.yml, the lockfiles and a README with the build command. Nothing is written when a file
 * exists (unless `force`), and every write is atomic.
 */
export async function exportProject(options: ExportOptions): Promise<ExportResult> {
  if (!isAbsolute(options.dir)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Export folder must be an absolute path: ${options.dir}`,
      {
        field: 'dir',
      },
    );
  }
  const recipe = options.recipe ?? (await loadRecipe(options.projectDir));
  const generated = generatedFiles(recipe, await environmentVariables(options.projectDir));
  const files = new Map<string, string | Uint8Array>([
    ['Dockerfile', generated.dockerfile],
    ['.dockerignore', generated.dockerignore],
  ]);
  try {
    files.set('environment.yml', await readFile(join(options.projectDir, 'environment.yml')));
  } catch {
    throw new CondenseError(
      'NOT_FOUND',
      `No environment.yml in ${options.projectDir}: is this a Condense project folder?`,
    );
  }
  for (const name of await lockfilesOf(options.projectDir, recipe)) {
    files.set(name, await readFile(join(options.projectDir, name)));
  }
  const delivery = await deliveryFiles({
    projectDir: options.projectDir,
    recipe,
    cacheRoot: options.cacheRoot ?? cacheDir(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const [name, text] of delivery) files.set(name, text);
  files.set('README.md', exportReadme(recipe, basename(options.projectDir), [...files.keys()]));
  await mkdir(options.dir, { recursive: true });
  const dir = await realpath(options.dir);
  const projectDir = await realpath(options.projectDir);
  const targets = [...files.keys()].map((name) => [name, inside(dir, name)] as const);
  if (!options.force) {
    const taken: string[] = [];
    for (const [name, path] of targets) if (await exists(path)) taken.push(name);
    if (taken.length > 0) {
      throw new CondenseError(
        'ALREADY_EXISTS',
        `${dir} already has ${taken.join(', ')}: choose an empty folder or overwrite (--force)`,
        { files: taken },
      );
    }
  }
  const written: string[] = [];
  for (const [name, path] of targets) {
    // Exporting into the project itself: its own inputs stay as they are.
    if (
      dir === projectDir &&
      name !== 'Dockerfile' &&
      name !== '.dockerignore' &&
      name !== 'README.md'
    )
      continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, files.get(name)!);
    written.push(name);
  }
  return { dir, files: written };
}
