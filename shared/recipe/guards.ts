import { formatSize } from '../format/size';
import { SAFE_GLOB } from './quote';

/**
 * Guards on custom prune globs, which become `rm -rf <prefix>/<glob>` in the builder: a glob that
 * reaches `.` or `..` breaks the build (`rm: can't remove '.'`), one that takes a whole top-level
 * folder of the prefix (`lib`, `bin`, `l*`, `?i?`, `lib/*`) empties the environment, and one that
 * removes most of the environment's bytes is almost certainly a slip. The last two can be waived
 * with `force: true` on the rule; the first cannot (the shell refuses it whatever the recipe says).
 */

/** Top-level folders of a conda prefix (conda, conda-build and the common packages' layouts). */
export const PREFIX_TOP_LEVEL = [
  'bin',
  'compiler_compat',
  'conda-meta',
  'condabin',
  'etc',
  'include',
  'lib',
  'lib64',
  'libexec',
  'man',
  'sbin',
  'share',
  'ssl',
  'var',
  'x86_64-conda-linux-gnu',
  'aarch64-conda-linux-gnu',
  'powerpc64le-conda-linux-gnu',
];

/** One sh glob segment as `rm` sees it: `*`/`?` never match `/`; a leading wildcard skips dot files. */
function segmentMatches(segment: string, name: string): boolean {
  let source = '';
  for (const char of segment) {
    source +=
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  const hidden = segment.startsWith('*') || segment.startsWith('?') ? '(?!\\.)' : '';
  return new RegExp(`^${hidden}${source}$`).test(name);
}

/** A segment that can expand to `.` or `..` (`.*`, `.?`, `..`): never removable. */
export function dotSegmentProblem(glob: string): string | null {
  const bad = glob.split('/').find((s) => segmentMatches(s, '.') || segmentMatches(s, '..'));
  if (bad === undefined) return null;
  return `has the segment "${bad}", which the shell expands to "." or ".." (rm refuses them and the build fails); use .??* or name the files`;
}

/**
 * The top-level folders of the prefix that the glob removes whole: its first segment matches the
 * folder and every later segment is a bare `*` (`lib/*` empties lib). `topLevel` adds the folders
 * seen in the locked environment to the usual ones.
 */
export function wholeFoldersRemoved(glob: string, topLevel: Iterable<string> = []): string[] {
  const [first, ...rest] = glob.split('/');
  if (first === undefined || rest.some((s) => s !== '*')) return [];
  const names = new Set([...PREFIX_TOP_LEVEL, ...topLevel]);
  return [...names].filter((name) => segmentMatches(first, name)).sort();
}

/** The refusal of a glob that removes whole top-level folders, or null. */
export function topLevelProblem(glob: string, topLevel: Iterable<string> = []): string | null {
  const folders = wholeFoldersRemoved(glob, topLevel);
  if (folders.length === 0) return null;
  return `removes the whole top-level folder${folders.length > 1 ? 's' : ''} ${folders.map((f) => `"${f}"`).join(', ')} of the environment; narrow it (e.g. share/doc) or add force: true to the rule`;
}

/** Share of the environment above which a custom glob is refused unless forced. */
export const MAX_CUSTOM_SHARE = 0.5;

/** The refusal of a glob estimated to remove more than half of the environment, or null. */
export function shareProblem(
  glob: string,
  removedBytes: number,
  environmentBytes: number,
): string | null {
  if (environmentBytes <= 0 || removedBytes <= environmentBytes * MAX_CUSTOM_SHARE) return null;
  const percent = Math.round((removedBytes / environmentBytes) * 100);
  return `custom prune glob "${glob}" would remove ${formatSize(removedBytes)} of the ${formatSize(environmentBytes)} environment (${percent}%, estimated from the lock); narrow it or add force: true to the rule`;
}

/**
 * Validates a custom prune glob: relative to the prefix, never reaching `.` or `..`, not matching
 * the whole prefix, and (unless `force`) not removing a whole top-level folder (see guards.ts).
 */
export function customGlobProblem(
  glob: string,
  force = false,
  topLevel: Iterable<string> = [],
): string | null {
  if (!SAFE_GLOB.test(glob))
    return 'may only contain letters, digits, . _ - + @ / and the wildcards * ?';
  if (glob.startsWith('/')) return 'must be relative to the environment prefix (no leading /)';
  const segments = glob.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return 'must not contain empty, "." or ".." segments (it would leave the prefix)';
  const dots = dotSegmentProblem(glob);
  if (dots) return dots;
  if (/^[*?]+$/.test(segments[0]!))
    return 'its first segment must name something (a bare wildcard would empty the prefix)';
  return force ? null : topLevelProblem(glob, topLevel);
}
