import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import picomatch from 'picomatch';
import { pack } from 'tar-stream';

import { CondenseError } from '../../../shared/api/errors';
import { parseDockerignore } from './dockerignore';

/** Where the generated Dockerfile sits inside the context tar (`.condense/` itself is never sent). */
export const CONTEXT_DOCKERFILE = '.condense/Dockerfile';

/** Never sent: build history, VCS data, editor and Python caches. */
const ALWAYS_IGNORED = [
  '.condense',
  '.git',
  '.hg',
  '.svn',
  'node_modules/.cache',
  '**/__pycache__',
];

export interface ContextOptions {
  projectDir: string;
  dockerfile: string;
  signal?: AbortSignal;
}

export interface BuildContext {
  stream: Readable;
  /** Context-relative paths that are sent (besides the Dockerfile), known before the upload. */
  files: string[];
  bytes: number;
}

/**
 * Lists what the Dockerfile can use: `COPY`/`ADD` sources that are not `--from` another stage.
 * A source `.` means the whole context; an empty list means nothing from the project is needed.
 */
export function contextSources(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\r?\n/g, ' ');
  const sources: string[] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    const match = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    let rest = match[2]!.trim();
    const flags: string[] = [];
    while (rest.startsWith('--')) {
      const end = rest.search(/\s/);
      flags.push(end < 0 ? rest : rest.slice(0, end));
      rest = end < 0 ? '' : rest.slice(end).trim();
    }
    if (flags.some((f) => f.startsWith('--from'))) continue;
    let args: string[];
    if (rest.startsWith('[')) {
      try {
        args = JSON.parse(rest) as string[];
      } catch {
        args = rest.split(/\s+/);
      }
    } else args = rest.split(/\s+/);
    sources.push(...args.slice(0, -1).filter((a) => !/^https?:\/\//.test(a)));
  }
  return sources.map((s) => s.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.');
}

/** One path of the build context, as `.dockerignore` and the COPY sources leave it. */
export interface ContextEntry {
  /** Context-relative, `/`-separated. */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
}

export interface ListContextOptions {
  projectDir: string;
  dockerfile: string;
  /** More `.dockerignore` lines applied on top of the project's own file. */
  extraIgnore?: string;
  /** Folders never walked (context-relative), e.g. an export folder inside the project. */
  skip?: string[];
  signal?: AbortSignal;
}

/**
 * What the build context holds: the files the Dockerfile's COPY/ADD lines name (all files when one
 * copies `.`), minus `.dockerignore`. The build uploads exactly these; an export copies them.
 */
export async function listContext(options: ListContextOptions): Promise<ContextEntry[]> {
  const { projectDir } = options;
  const ignoreText = await readFile(join(projectDir, '.dockerignore'), 'utf8').catch(() => '');
  const rules = [...ALWAYS_IGNORED, ignoreText];
  const ignore = parseDockerignore(rules.join('\n'));
  const extra = options.extraIgnore ? parseDockerignore(options.extraIgnore) : undefined;
  const skip = new Set(options.skip ?? []);
  const sources = contextSources(options.dockerfile);
  const everything = sources.includes('.');
  const wanted = (path: string) =>
    everything || sources.some((s) => path === s || path.startsWith(`${s}/`) || glob(s, path));
  // A folder is walked when a source lies inside it or it lies inside a source.
  const walkInto = (path: string) =>
    everything || sources.some((s) => s.startsWith(`${path}/`) || wanted(path) || /[*?[]/.test(s));
  const ignored = (path: string) => ignore.ignores(path) || (extra?.ignores(path) ?? false);
  const hasExceptions = ignore.hasExceptions || (extra?.hasExceptions ?? false);

  const entries: ContextEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const names = await readdir(join(projectDir, relative)).catch(
      (error: NodeJS.ErrnoException) => {
        throw new CondenseError(
          error.code === 'ENOENT' ? 'NOT_FOUND' : 'PERMISSION_DENIED',
          `Cannot read the project folder ${join(projectDir, relative)}: ${error.message}`,
        );
      },
    );
    for (const name of names.sort()) {
      const path = relative ? `${relative}/${name}` : name;
      if (skip.has(path)) continue;
      const stats = await lstat(join(projectDir, path));
      const out = ignored(path);
      if (stats.isDirectory()) {
        if (out && !hasExceptions) continue;
        if (!walkInto(path)) continue;
        if (!out && wanted(path)) entries.push({ path, kind: 'dir', size: 0, mode: stats.mode });
        await walk(path);
      } else if (!out && wanted(path) && (stats.isFile() || stats.isSymbolicLink())) {
        entries.push({
          path,
          kind: stats.isFile() ? 'file' : 'symlink',
          size: stats.isFile() ? stats.size : 0,
          mode: stats.mode,
        });
      }
    }
  };
  if (sources.length > 0) await walk('');
  return entries;
}

/**
 * Packs the build context as a tar stream: the entries of {@link listContext} plus the Dockerfile at
 * CONTEXT_DOCKERFILE.
 */
export async function createBuildContext(options: ContextOptions): Promise<BuildContext> {
  const { projectDir } = options;
  const entries = await listContext(options);

  const tar = pack();
  const write = async () => {
    tar.entry({ name: CONTEXT_DOCKERFILE, mode: 0o644 }, options.dockerfile);
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      const mode = entry.mode & 0o7777;
      if (entry.kind === 'dir') tar.entry({ name: entry.path, type: 'directory', mode });
      else if (entry.kind === 'symlink') {
        const linkname = await readlink(join(projectDir, entry.path));
        tar.entry({ name: entry.path, type: 'symlink', linkname, mode });
      } else {
        await new Promise<void>((resolve, reject) => {
          const sink = tar.entry({ name: entry.path, size: entry.size, mode }, (error) =>
            error ? reject(error) : resolve(),
          );
          createReadStream(join(projectDir, entry.path)).on('error', reject).pipe(sink);
        });
      }
    }
    tar.finalize();
  };
  write().catch((error: Error) => tar.destroy(error));
  return {
    // tar-stream's Pack is a streamx Readable: Node's stream API as far as dockerode uses it.
    stream: tar as unknown as Readable,
    files: entries.filter((e) => e.kind !== 'dir').map((e) => e.path),
    bytes: entries.reduce((sum, e) => sum + e.size, 0),
  };
}

function glob(pattern: string, path: string): boolean {
  if (!/[*?[]/.test(pattern)) return false;
  const segments = path.split('/');
  const depth = pattern.split('/').length;
  // A glob source copies matching files or whole matching folders.
  return segments.length >= depth && picomatchCached(pattern)(segments.slice(0, depth).join('/'));
}

const cache = new Map<string, (path: string) => boolean>();
function picomatchCached(pattern: string): (path: string) => boolean {
  let matcher = cache.get(pattern);
  if (!matcher) cache.set(pattern, (matcher = picomatch(pattern, { dot: true })));
  return matcher;
}
