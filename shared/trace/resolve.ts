import type { ImageEntry, TraceAccess } from './model';
import { TRACE_ROOT } from './model';

/**
 * Resolves traced paths against the image's own tree, as the kernel would have: symlinks followed
 * component by component (each symlink on the way is used too: removing it breaks the path), `..`
 * taken after the symlink it follows. A program started through `execve` also uses its `#!`
 * interpreter, which the kernel loads without a system call strace could see.
 */

/** Virtual filesystems and the tracer itself: never part of what the image ships. */
const IGNORED = ['/proc', '/sys', '/dev', TRACE_ROOT];

const MAX_LINKS = 40; // Linux's MAXSYMLINKS

export function isIgnoredPath(path: string): boolean {
  return IGNORED.some((root) => path === root || path.startsWith(`${root}/`));
}

export interface ImageTree {
  get(path: string): ImageEntry | undefined;
}

export function imageTree(entries: readonly ImageEntry[]): ImageTree {
  const byPath = new Map<string, ImageEntry>();
  for (const entry of entries) byPath.set(entry.path, entry);
  return { get: (path) => byPath.get(path) };
}

function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function child(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

/**
 * The canonical path of `path` in the image, adding every symlink passed to `used`; undefined when
 * the path does not exist in the image (made at run time, or a loop).
 */
export function canonicalPath(
  tree: ImageTree,
  path: string,
  used: Set<string>,
): string | undefined {
  let pending = path.split('/').filter((part) => part.length > 0);
  let current = '/';
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      current = parentOf(current);
      continue;
    }
    const next = child(current, part);
    const entry = tree.get(next);
    if (!entry) return undefined;
    if (entry.type === 'symlink' && entry.target !== undefined) {
      used.add(next);
      if (++links > MAX_LINKS) return undefined;
      const target = entry.target.split('/').filter((p) => p.length > 0);
      if (entry.target.startsWith('/')) current = '/';
      pending = [...target, ...pending];
      continue;
    }
    current = next;
  }
  return current;
}

/**
 * Every path of the image the accesses used, canonical, with the symlinks on the way and the `#!`
 * interpreters of executed scripts. Paths outside the image and virtual filesystems are left out.
 */
export function resolveUsage(
  entries: readonly ImageEntry[],
  accesses: readonly TraceAccess[],
): Set<string> {
  const tree = imageTree(entries);
  const used = new Set<string>();
  const execs: string[] = [];
  for (const access of accesses) {
    if (isIgnoredPath(access.path)) continue;
    const path = canonicalPath(tree, access.path, used);
    if (path === undefined || isIgnoredPath(path)) continue;
    used.add(path);
    if (access.kind === 'exec') execs.push(path);
  }
  // The kernel runs a script's interpreter (and that one's, for `#!` chains) itself.
  const seen = new Set<string>();
  while (execs.length > 0) {
    const path = execs.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const interpreter = tree.get(path)?.interpreter;
    if (!interpreter) continue;
    const resolved = canonicalPath(tree, interpreter, used);
    if (resolved === undefined) continue;
    used.add(resolved);
    execs.push(resolved);
  }
  return used;
}
