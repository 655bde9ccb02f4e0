import type { PruneSelector } from './catalog';

/**
 * Which files of an environment a prune selector removes, with the semantics of the shell command it
 * becomes: sh globs for `rm -rf` (`*` stays within a segment and skips leading dots; a matched
 * directory takes everything below), fnmatch for `find -name` / `-path` (`*` matches anything,
 * `/` included).
 */

function escape(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** find's fnmatch without flags: `*` matches any run of characters, `/` and leading dots included. */
export function fnmatchRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) source += char === '*' ? '.*' : char === '?' ? '.' : escape(char);
  return new RegExp(`^${source}$`, 's');
}

/** One sh glob segment: `*` and `?` never match `/`, nor a leading `.`. */
function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (const char of segment)
    source += char === '*' ? '[^/]*' : char === '?' ? '[^/]' : escape(char);
  const leadingWildcard = segment.startsWith('*') || segment.startsWith('?');
  return new RegExp(`^${leadingWildcard ? '(?!\\.)' : ''}${source}$`);
}

/** A file of the environment, relative to the prefix. */
export interface EnvFile {
  path: string;
  /** Symlinks are not `-type f` and are removed only by `rm -rf` or with their directory. */
  type: 'file' | 'symlink';
}

export type FileMatcher = (file: EnvFile) => boolean;

/** Builds a matcher for files given relative to `prefix`. */
export function selectorMatcher(selector: PruneSelector, prefix: string): FileMatcher {
  if (selector.kind === 'paths') {
    const globs = selector.paths.map((p) => p.split('/').map(segmentRegExp));
    return (file) => {
      const segments = file.path.split('/');
      // rm -rf on a match removes it and, for a directory, everything below.
      return globs.some(
        (glob) => glob.length <= segments.length && glob.every((re, i) => re.test(segments[i]!)),
      );
    };
  }
  const name = fnmatchRegExp(selector.name);
  const notName = selector.notName ? fnmatchRegExp(selector.notName) : null;
  const within = selector.within ? fnmatchRegExp(`${prefix}/${selector.within}`) : null;
  const nameOk = (segment: string) => name.test(segment) && !(notName && notName.test(segment));
  if (selector.type === 'f') {
    return (file) => {
      if (file.type !== 'file') return false;
      const base = file.path.slice(file.path.lastIndexOf('/') + 1);
      return nameOk(base) && (!within || within.test(`${prefix}/${file.path}`));
    };
  }
  return (file) => {
    // Any ancestor directory that find would select removes the file with it.
    const segments = file.path.split('/');
    for (let i = 0; i < segments.length - 1; i += 1) {
      if (!nameOk(segments[i]!)) continue;
      if (!within || within.test(`${prefix}/${segments.slice(0, i + 1).join('/')}`)) return true;
    }
    return false;
  };
}
