import { MAX_CUSTOM_SHARE } from '../recipe/guards';
import type { PruneSettings, Variant } from '../recipe/model';
import { keepPlan } from './keep';
import type { SuggestionGroup, TraceAnalysisInput, TraceSuggestion } from './model';
import { TRACED_VARIANT_ID } from './model';
import { PathIndex } from './path-index';
import { pycSource, pythonLibOf, sitePackagesEntryOf } from './python-paths';
import type { RemovalGlob } from './removal-globs';
import { removalGlobs } from './removal-globs';

/** How many package names a site-packages reason spells out before "and N more". */
const NAMED_PACKAGES = 6;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What kind of thing a glob removes, as the reason written beside it (site-packages named later). */
function reasonOf(glob: string): string {
  const top = glob.split('/')[0]!;
  const lib = pythonLibOf(glob);
  if (lib && glob.split('/')[2] === 'site-packages') return `${lib}/site-packages`;
  if (lib) return `${lib}: standard library modules never imported`;
  if (top === 'bin' || top === 'sbin') return `${top}: programs no check ran`;
  if (top === 'lib' || top === 'lib64')
    return `${top}: shared libraries and files no process loaded`;
  if (top === 'include' || top === 'share') return 'include, share: headers and data no check read';
  if (top === 'conda-meta') return 'conda-meta: package metadata no check read';
  return `${top}: files no check read`;
}

/** The package a site-packages glob removes: `numpy`, `six` for `six.py` or its cached bytecode. */
function packageNameOf(glob: string): string {
  const entry = sitePackagesEntryOf(glob);
  if (entry === undefined) return 'all of them';
  const source = entry === '__pycache__' ? pycSource(glob) : undefined;
  const name = source ? source.slice(source.lastIndexOf('/') + 1) : entry;
  return name.replace(/\.(?:py|so|pth)$|\.cpython-.*$|\.\*$/, '');
}

function siteReason(lib: string, globs: string[]): string {
  const names = [...new Set(globs.map(packageNameOf))].sort(byText);
  const shown = names.slice(0, NAMED_PACKAGES).join(', ');
  const more = names.length > NAMED_PACKAGES ? ` and ${names.length - NAMED_PACKAGES} more` : '';
  return `${lib}: packages never imported (${shown}${more})`;
}

/** Globs the lock shows to remove more than half the environment: the guard wants them forced. */
function overShare(input: TraceAnalysisInput, globs: RemovalGlob[]): Set<string> {
  const sizes = new Map<string, number>();
  for (const pkg of input.packages) for (const file of pkg.files) sizes.set(file.path, file.size);
  let total = 0;
  for (const size of sizes.values()) total += size;
  const index = new PathIndex(sizes.keys());
  const over = new Set<string>();
  for (const { glob } of globs) {
    let bytes = 0;
    for (const path of index.takenBy(glob)) bytes += sizes.get(path)!;
    if (total > 0 && bytes > total * MAX_CUSTOM_SHARE) over.add(glob);
  }
  return over;
}

/** The top-level names of the prefix, as the guards see them (the lock's and the image's). */
function topLevelNames(input: TraceAnalysisInput): Set<string> {
  const names = new Set<string>();
  for (const pkg of input.packages)
    for (const file of pkg.files) names.add(file.path.split('/')[0]!);
  for (const entry of input.entries) {
    if (entry.path.startsWith(`${input.prefix}/`))
      names.add(entry.path.slice(input.prefix.length + 1).split('/')[0]!);
  }
  return names;
}

function groupsOf(globs: RemovalGlob[], forced: Set<string>): SuggestionGroup[] {
  const byReason = new Map<string, RemovalGlob[]>();
  for (const glob of globs) {
    const reason = reasonOf(glob.glob);
    byReason.set(reason, [...(byReason.get(reason) ?? []), glob]);
  }
  return [...byReason.entries()]
    .map(([reason, members]) => {
      const names = members.map((m) => m.glob);
      return {
        reason: reason.endsWith('/site-packages') ? siteReason(reason, names) : reason,
        globs: names.sort(byText),
        forced: names.filter((g) => forced.has(g)),
        bytes: members.reduce((sum, m) => sum + m.bytes, 0),
      };
    })
    .sort((a, b) => b.bytes - a.bytes || byText(a.reason, b.reason));
}

/**
 * The `traced` variant for a traced one: its prune settings plus custom globs, grouped with a
 * reason each, for the files of the prefix that no check used and nothing else keeps (see
 * `keepPlan`). Deterministic: the same input in any order gives the same suggestion.
 */
export function suggestTraced(
  input: TraceAnalysisInput,
  from: Variant | PruneSettings,
): TraceSuggestion {
  const settings = 'prune' in from ? from.prune : from;
  const plan = keepPlan(input, settings);
  const globs = removalGlobs(plan, topLevelNames(input)).filter((g) => g.paths.length > 0);
  const over = overShare(input, globs);
  const forced = new Set(globs.filter((g) => g.forced || over.has(g.glob)).map((g) => g.glob));
  const groups = groupsOf(globs, forced);

  const custom = groups.flatMap((g) => g.globs);
  const reasons = Object.fromEntries(
    groups.flatMap((g) => g.globs.map((glob) => [glob, g.reason])),
  );
  const removedBytes = groups.reduce((sum, g) => sum + g.bytes, 0);
  let shippedBytes = 0;
  for (const entry of input.entries) if (entry.type === 'file') shippedBytes += entry.size;
  return {
    variantId: TRACED_VARIANT_ID,
    from: 'prune' in from ? from.id : input.variant,
    groups,
    removedBytes,
    keptBytes: shippedBytes - removedBytes,
    prune: {
      ...settings,
      custom: [...settings.custom, ...custom],
      ...(forced.size > 0 || settings.force
        ? { force: [...(settings.force ?? []), ...custom.filter((g) => forced.has(g))] }
        : {}),
      ...(custom.length > 0 || settings.reasons
        ? { reasons: { ...settings.reasons, ...reasons } }
        : {}),
    },
  };
}
