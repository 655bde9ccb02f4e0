import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { formatSize } from '../../../shared/format/size';
import type { ImageFile, Recipe } from '../../../shared/recipe/model';

/** Files above this size get a warning: they make every image of the project that much bigger. */
export const LARGE_FILE_BYTES = 1024 ** 3;

export interface ImageFilesReport {
  /** Bytes of every `files:` entry together (regular files, folders walked). */
  bytes: number;
  /** Per entry, in recipe order. */
  entries: { from: string; to: string; bytes: number; files: number }[];
  /** One line per file over LARGE_FILE_BYTES, with its size. */
  warnings: string[];
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

/**
 * Checks the recipe's `files:` against the project folder before anything builds: each entry exists,
 * lies inside the project, and no symlink in it leads out (the engine would copy the link, not what it
 * points to, or refuse it). Returns sizes for the estimate and warnings for files over 1 GiB.
 */
export async function checkImageFiles(
  projectDir: string,
  files: ImageFile[],
  signal?: AbortSignal,
): Promise<ImageFilesReport> {
  const root = await realpath(projectDir);
  const report: ImageFilesReport = { bytes: 0, entries: [], warnings: [] };
  for (const [i, entry] of files.entries()) {
    const field = `files[${i}].from`;
    const path = join(projectDir, entry.from);
    const refuse = (message: string) => {
      throw new CondenseError('INVALID_INPUT', `condense.yml ${field}: ${message}`, {
        field,
        path: entry.from,
      });
    };
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const link = await lstat(path).catch(() => undefined);
        refuse(
          link?.isSymbolicLink()
            ? `${entry.from} is a symlink to a missing file: point it at a file in the project`
            : `${entry.from} does not exist in ${projectDir}: add it or remove the entry`,
        );
      }
      refuse(`${entry.from} cannot be read (${code ?? String(error)})`);
      return report;
    }
    if (!inside(root, real))
      refuse(`${entry.from} leads out of the project (to ${real}): copy the file into the project`);
    let bytes = 0;
    let count = 0;
    const visit = async (abs: string, shown: string): Promise<void> => {
      signal?.throwIfAborted();
      const info = await lstat(abs);
      if (info.isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        if (!target) refuse(`${shown} is a symlink to a missing file`);
        if (!inside(root, target!))
          refuse(`${shown} is a symlink leading out of the project (to ${target})`);
        return visit(target!, shown);
      }
      if (info.isDirectory()) {
        for (const name of (await readdir(abs)).sort())
          await visit(join(abs, name), `${shown}/${name}`);
        return;
      }
      if (!info.isFile()) refuse(`${shown} is not a regular file or folder`);
      bytes += info.size;
      count += 1;
      if (info.size > LARGE_FILE_BYTES)
        report.warnings.push(
          `${shown} is ${formatSize(info.size)}: it is copied into every image of this project (files: in condense.yml)`,
        );
    };
    await visit(path, entry.from);
    report.entries.push({ from: entry.from, to: entry.to, bytes, files: count });
    report.bytes += bytes;
  }
  return report;
}

/**
 * The own package must be something pip can install: its folder holds `pyproject.toml` or `setup.py`.
 * Refused before any build starts, with what to add.
 */
export async function checkOwnPackage(projectDir: string, recipe: Recipe): Promise<void> {
  if (!recipe.package) return;
  const dir = join(projectDir, recipe.package.path);
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new CondenseError(
      'INVALID_INPUT',
      `condense.yml package.path: ${recipe.package.path} is not a folder in ${projectDir}: point it at your package's folder, or remove package.`,
      { field: 'package.path' },
    );
  }
  for (const name of ['pyproject.toml', 'setup.py']) {
    const file = await stat(join(dir, name)).catch(() => undefined);
    if (file?.isFile()) return;
  }
  throw new CondenseError(
    'INVALID_INPUT',
    `condense.yml package.path: ${recipe.package.path} has neither pyproject.toml nor setup.py, so pip cannot install it: add a pyproject.toml ([project] name and version, [build-system] setuptools), or remove package.`,
    { field: 'package.path' },
  );
}
