import { lstat, mkdir, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { ExportResult } from '../../../shared/api/recipe';
import type { Recipe } from '../../../shared/recipe/model';
import { cacheDir } from '../channels/channel-url';
import { deliveryFiles } from '../delivery/delivery-files';
import { copyFileAtomic } from '../fs/atomic-write';
import { commitFiles, recoverFolder } from '../fs/commit-files';
import { diskError } from '../fs/disk-errors';
import { pipStepOptions } from '../pip/dockerfile-input';
import { environmentVariables } from '../project/environment-store';
import { generatedFiles } from '../recipe/generated-files';
import { loadRecipe } from '../recipe/recipe-file';
import { exportContext } from './export-context';
import { exportReadme } from './export-readme';
import {
  placeholderNote,
  type PlaceholderVariable,
  readProjectFile,
  withPlaceholders,
} from './export-secrets';

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

/** Names the export writes itself; the project's files of the same name are not copied over them. */
const GENERATED = ['Dockerfile', 'Dockerfile.classic', '.dockerignore'];

/**
 * Writes everything needed to build the image without Condense: Dockerfile (and Dockerfile.classic
 * when the main one needs BuildKit), .dockerignore, environment.yml, the lockfiles, every file the
 * Dockerfile copies from the build context (the own package, `files:` entries...) and a README with
 * the build commands. Channel credentials become `${VAR}` placeholders. Nothing is written when a file
 * exists (unless `force`); every write is atomic, and the generated files land as one unit.
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
  const pip = await pipStepOptions(options.projectDir, recipe);
  const generated = generatedFiles(recipe, await environmentVariables(options.projectDir), pip);
  const files = new Map<string, string | Uint8Array>([
    ['Dockerfile', generated.dockerfile],
    ['.dockerignore', generated.dockerignore],
  ]);
  // The cache mount needs BuildKit; the classic builder gets the form that cleans in the same step.
  if (recipe.buildkitCache) files.set('Dockerfile.classic', generated.classicDockerfile);
  const modes = new Map<string, number>();
  const variables = new Map<string, PlaceholderVariable>();
  // The user's files: symlinks out of the project refused, modes kept, credentials replaced by
  // `${VAR}` placeholders (the README says which to set).
  const copy = async (name: string) => {
    const { data, mode } = await readProjectFile(options.projectDir, name);
    const clean = withPlaceholders(data.toString('utf8'));
    for (const v of clean.variables) variables.set(v.name, v);
    files.set(name, clean.variables.length ? clean.text : data);
    modes.set(name, mode);
  };
  if (!(await exists(join(options.projectDir, 'environment.yml')))) {
    throw new CondenseError(
      'NOT_FOUND',
      `No environment.yml in ${options.projectDir}: is this a Condense project folder?`,
    );
  }
  await copy('environment.yml');
  for (const name of await lockfilesOf(options.projectDir, recipe)) await copy(name);
  const delivery = await deliveryFiles({
    projectDir: options.projectDir,
    recipe,
    cacheRoot: options.cacheRoot ?? cacheDir(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const [name, text] of delivery) files.set(name, text);
  await mkdir(options.dir, { recursive: true }).catch((error: unknown) => {
    throw diskError(error, join(options.dir, 'README.md'));
  });
  const dir = await realpath(options.dir);
  // An export interrupted earlier is finished first, so the checks below see whole files.
  await recoverFolder(dir, { deep: true });
  const projectDir = await realpath(options.projectDir);
  const context = (
    await exportContext({
      projectDir,
      dockerfile: generated.dockerfile,
      dockerignore: generated.dockerignore,
      exportDir: dir,
    })
  ).filter((entry) => !files.has(entry.path) && !GENERATED.includes(entry.path));
  // A project README the package needs (pyproject's `readme`) keeps its name.
  const readmeName = context.some((e) => e.path === 'README.md')
    ? 'README.condense.md'
    : 'README.md';
  const names = [...files.keys(), ...context.map((e) => e.path)];
  files.set(
    readmeName,
    exportReadme(recipe, basename(options.projectDir), names) +
      placeholderNote([...variables.values()]),
  );
  const targets = [...files.keys(), ...context.map((e) => e.path)].map(
    (name) => [name, inside(dir, name)] as const,
  );
  if (!options.force) {
    const taken: string[] = [];
    for (const [name, path] of targets) if (await exists(path)) taken.push(name);
    if (taken.length > 0) {
      throw new CondenseError(
        'ALREADY_EXISTS',
        `${dir} already has ${taken.slice(0, 5).join(', ')}${taken.length > 5 ? ` and ${taken.length - 5} more` : ''}: choose an empty folder or overwrite (--force)`,
        { files: taken },
      );
    }
  }
  const intoProject = dir === projectDir;
  const written: string[] = [];
  // The build context's own files first (streamed, each atomic); the generated files last as one
  // unit, so a crash never leaves a Dockerfile beside half of what it copies.
  if (!intoProject) {
    for (const entry of context) {
      const target = inside(dir, entry.path);
      await mkdir(dirname(target), { recursive: true });
      if (entry.kind === 'file') {
        await copyFileAtomic(join(projectDir, entry.path), target, entry.mode);
      } else {
        await rm(target, { force: true });
        await symlink(entry.target, target);
      }
      written.push(entry.path);
    }
  }
  // Exporting into the project itself: its own inputs stay as they are.
  const committed = [...files.keys()].filter(
    (name) => !intoProject || GENERATED.includes(name) || name === readmeName,
  );
  for (const name of committed) await mkdir(dirname(inside(dir, name)), { recursive: true });
  await commitFiles(
    dir,
    committed.map((name) => ({
      name,
      data: files.get(name)!,
      ...(modes.has(name) ? { mode: modes.get(name)! } : {}),
    })),
  );
  return { dir, files: [...committed, ...written] };
}
