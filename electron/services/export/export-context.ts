import { readlink } from 'node:fs/promises';
import { isAbsolute, posix, relative, sep } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { type ContextEntry, listContext } from '../build/build-context';

export interface ExportContextOptions {
  projectDir: string;
  /** The Dockerfile the export holds: its COPY sources say what the folder needs. */
  dockerfile: string;
  /** The `.dockerignore` the export holds, applied on top of the project's own. */
  dockerignore: string;
  /** The export folder (real path); when it lies inside the project it is never walked. */
  exportDir: string;
  signal?: AbortSignal;
}

/** A context path to copy into the export: a file, or a link recreated as it is. */
export type ExportEntry =
  | { path: string; kind: 'file'; size: number; mode: number }
  | { path: string; kind: 'symlink'; target: string };

/**
 * What an exported folder must hold so `docker build .` there sends what a build from the project
 * sends: the build context's files (COPY sources minus both `.dockerignore`s). Symlinks are kept as
 * links (COPY copies links, not their targets), and one that leads out of the project is refused:
 * the export would point at, or depend on, files elsewhere on this machine.
 */
export async function exportContext(options: ExportContextOptions): Promise<ExportEntry[]> {
  const inside = relative(options.projectDir, options.exportDir);
  const skip =
    inside && !inside.startsWith('..') && !isAbsolute(inside) ? [inside.split(sep).join('/')] : [];
  const entries = await listContext({
    projectDir: options.projectDir,
    dockerfile: options.dockerfile,
    extraIgnore: options.dockerignore,
    skip,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const out: ExportEntry[] = [];
  for (const entry of entries) {
    if (entry.kind === 'dir') continue;
    out.push(entry.kind === 'file' ? fileEntry(entry) : await linkEntry(options.projectDir, entry));
  }
  return out;
}

function fileEntry(entry: ContextEntry): ExportEntry {
  return { path: entry.path, kind: 'file', size: entry.size, mode: entry.mode & 0o777 };
}

async function linkEntry(projectDir: string, entry: ContextEntry): Promise<ExportEntry> {
  const target = await readlink(`${projectDir}/${entry.path}`);
  const resolved = posix.normalize(posix.join(posix.dirname(entry.path), target));
  if (isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
    throw new CondenseError(
      'PERMISSION_DENIED',
      `${entry.path} is a symlink to ${target}, outside the project: replace it with the file itself or leave it out with .dockerignore`,
      { path: entry.path },
    );
  }
  return { path: entry.path, kind: 'symlink', target };
}
