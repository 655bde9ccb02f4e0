import type { AccessKind, TraceAccess } from './model';

/**
 * Reads strace's output as the tracer writes it (`-f -ff -z -y -s 4096 -e trace=%file,%process,fchdir`:
 * one file per thread, successful calls only, file descriptors decoded as `3</path>`), and returns
 * every path a call named, made absolute with the caller's folder (`AT_FDCWD</cwd>` or `N</dir>`).
 * Symlinks are not resolved here: that needs the image's own tree (see `resolveUsage`).
 */

/** Calls that only change the filesystem: what they name need not be in the image. */
const WRITES = new Set([
  'mkdir',
  'mkdirat',
  'unlink',
  'unlinkat',
  'rmdir',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'chmod',
  'fchmodat',
  'chown',
  'lchown',
  'fchownat',
  'truncate',
  'mknod',
  'mknodat',
  'utime',
  'utimes',
  'utimensat',
  'futimesat',
  'setxattr',
  'lsetxattr',
  'removexattr',
  'lremovexattr',
  'creat',
  'mount',
  'umount2',
  'chroot',
  'pivot_root',
]);

/** Calls whose first argument is a folder descriptor and the second the path. */
const AT_CALLS = new Set([
  'openat',
  'openat2',
  'newfstatat',
  'fstatat64',
  'statx',
  'faccessat',
  'faccessat2',
  'readlinkat',
  'execveat',
  'name_to_handle_at',
]);

const OPEN_CALLS = new Set(['open', 'openat', 'openat2']);
const EXEC_CALLS = new Set(['execve', 'execveat']);

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** One C string as strace prints it, escapes undone (strace escapes bytes, so decode as UTF-8). */
function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  const push = (s: string) => bytes.push(...ENCODER.encode(s));
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c !== '\\') {
      push(c);
      continue;
    }
    const n = text[i + 1] ?? '';
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '\\': 92, '"': 34 };
    if (n in simple) {
      bytes.push(simple[n]!);
      i += 1;
    } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1))?.[0];
      if (octal) {
        bytes.push(parseInt(octal, 8) & 0xff);
        i += octal.length;
      } else push(c);
    }
  }
  return DECODER.decode(new Uint8Array(bytes));
}

/** Reads a `"..."` string starting at `start` (the quote); returns the text and the index after it. */
function readQuoted(line: string, start: number): { text: string; end: number } | null {
  let i = start + 1;
  while (i < line.length) {
    if (line[i] === '\\') i += 2;
    else if (line[i] === '"') return { text: unescape(line.slice(start + 1, i)), end: i + 1 };
    else i += 1;
  }
  return null;
}

/** Reads a decoded descriptor `<...>` starting at `start` (the `<`). */
function readDecoded(line: string, start: number): { text: string; end: number } | null {
  let i = start + 1;
  while (i < line.length) {
    if (line[i] === '\\') i += 2;
    else if (line[i] === '>') return { text: unescape(line.slice(start + 1, i)), end: i + 1 };
    else i += 1;
  }
  return null;
}

function joinPath(folder: string, path: string): string {
  if (path.startsWith('/')) return path;
  if (path === '') return folder;
  return folder.endsWith('/') ? `${folder}${path}` : `${folder}/${path}`;
}

const CALL = /^(?:\[pid\s+\d+\]\s+|\d+\s+)?([a-z_0-9]+)\(/;
// A completed call: `) = 3</path>` or `) = 0`, at the end of the line.
const RESULT = /\)\s+=\s+(-?\d+|0x[0-9a-f]+)(?:<((?:\\.|[^>\\])*)>)?(?:\s+\(.*\))?\s*$/;

/** The accesses of one line, or none (a write, a failed or unfinished call, a signal). */
export function parseStraceLine(line: string): TraceAccess[] {
  const call = CALL.exec(line);
  if (!call) return [];
  const name = call[1]!;
  if (WRITES.has(name)) return [];
  const result = RESULT.exec(line);
  if (!result || result[1]!.startsWith('-')) return [];
  let index = call[0].length;
  let folder: string | undefined;
  if (AT_CALLS.has(name)) {
    // `AT_FDCWD</cwd>` or `3</dir>`: the folder a relative path starts from.
    const lt = line.indexOf('<', index);
    const comma = line.indexOf(',', index);
    if (lt >= 0 && (comma < 0 || lt < comma)) {
      const decoded = readDecoded(line, lt);
      if (decoded) {
        folder = decoded.text;
        index = decoded.end;
      }
    }
  }
  const quote = line.indexOf('"', index);
  const kind: AccessKind = EXEC_CALLS.has(name)
    ? 'exec'
    : OPEN_CALLS.has(name)
      ? /O_DIRECTORY/.test(line)
        ? 'list'
        : 'open'
      : 'stat';
  const accesses: TraceAccess[] = [];
  if (quote >= 0) {
    const arg = readQuoted(line, quote);
    if (arg) {
      const path = arg.text.startsWith('/')
        ? arg.text
        : folder !== undefined
          ? joinPath(folder, arg.text)
          : undefined;
      if (path !== undefined) accesses.push({ path, kind });
    }
  }
  // The descriptor an open returned, decoded by strace: the canonical path (symlinks resolved).
  if (OPEN_CALLS.has(name) && result[2] !== undefined) {
    accesses.push({ path: unescape(result[2]), kind });
  }
  return accesses;
}

/** Every access in one trace file's text. */
export function parseStraceLog(text: string): TraceAccess[] {
  const accesses: TraceAccess[] = [];
  for (const line of text.split('\n')) {
    if (line.length > 0) accesses.push(...parseStraceLine(line));
  }
  return accesses;
}
