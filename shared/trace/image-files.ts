import type { ImageEntry, TraceAnalysisInput } from './model';
import {
  distributionName,
  isDistributionMetadata,
  moduleNameOf,
  pycSource,
  sitePackagesEntryOf,
} from './python-paths';

/** Pseudo packages of the report, in parentheses so no conda or pip name can clash. */
export const YOUR_PACKAGE = '(your package)';
export const YOUR_FILES = '(your files)';
export const CONDA_METADATA = '(conda metadata)';
export const NO_PACKAGE = '(installed by no package)';

/** Where a file of the image comes from. */
export type ImageArea = 'prefix' | 'files' | 'base';

/** A regular file or symlink of the traced image, with its owner and whether a check used it. */
export interface TracedFile {
  /** Absolute. */
  path: string;
  /** Relative to the prefix, for files inside it. */
  rel?: string;
  type: 'file' | 'symlink';
  size: number;
  used: boolean;
  area: ImageArea;
  /** The package (or pseudo package) owning it; the base's files have none. */
  owner?: string;
}

function under(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);
}

/** The prefix-relative path, or undefined for a path outside the prefix (or the prefix itself). */
export function relativeToPrefix(path: string, prefix: string): string | undefined {
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
}

/**
 * Owners of unowned files in site-packages: the user's own package (installed with `pip install
 * --no-deps`, so in no lock) shows as a `*.dist-info` no package owns. With one such dist-info, every
 * unowned site-packages file is taken for its own; with several, only the entries named like one.
 */
function ownPackageOwner(orphans: string[]): (rel: string) => string {
  const dists = new Set(
    orphans
      .filter(isDistributionMetadata)
      .map((rel) => sitePackagesEntryOf(rel)!)
      .map(distributionName),
  );
  return (rel) => {
    const entry = sitePackagesEntryOf(rel);
    if (entry === undefined || dists.size === 0) return NO_PACKAGE;
    if (dists.size === 1 || isDistributionMetadata(rel)) return YOUR_PACKAGE;
    const source = entry === '__pycache__' ? pycSource(rel)?.split('/').pop() : entry;
    return source !== undefined && dists.has(moduleNameOf(source)) ? YOUR_PACKAGE : NO_PACKAGE;
  };
}

/** Every regular file and symlink of the traced image, classified; sorted by path. */
export function tracedFiles(input: TraceAnalysisInput): TracedFile[] {
  const { prefix } = input;
  const owners = new Map<string, string>();
  for (const pkg of input.packages) for (const file of pkg.files) owners.set(file.path, pkg.name);
  const targets = input.files.map((f) => f.to);
  const entries = input.entries
    .filter((e): e is ImageEntry & { type: 'file' | 'symlink' } => e.type !== 'dir')
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const packageOwner = (rel: string): string | undefined => {
    // conda compiles noarch modules at install: their pycs are in no paths.json, but belong to the source's owner.
    const owner = owners.get(rel);
    if (owner !== undefined) return owner;
    const source = pycSource(rel);
    return source === undefined ? undefined : owners.get(source);
  };
  const orphans = entries
    .map((e) => relativeToPrefix(e.path, prefix))
    .filter((rel): rel is string => rel !== undefined && !rel.startsWith('conda-meta/'))
    .filter((rel) => packageOwner(rel) === undefined);
  const orphanOwner = ownPackageOwner(orphans);

  return entries.map((entry): TracedFile => {
    const base = {
      path: entry.path,
      type: entry.type,
      size: entry.type === 'file' ? entry.size : 0,
      used: input.used.has(entry.path),
    };
    const rel = relativeToPrefix(entry.path, prefix);
    // `files:` are copied last into the runtime stage, over whatever the environment had there.
    if (targets.some((to) => under(entry.path, to)))
      return { ...base, ...(rel !== undefined ? { rel } : {}), area: 'files', owner: YOUR_FILES };
    if (rel === undefined) {
      const isBase = input.basePaths ? input.basePaths.has(entry.path) : true;
      // Known base paths: what is neither the base's nor `files:` was made by the build (WORKDIR...).
      return isBase ? { ...base, area: 'base' } : { ...base, area: 'files', owner: NO_PACKAGE };
    }
    const owner = rel.startsWith('conda-meta/')
      ? CONDA_METADATA
      : (packageOwner(rel) ?? orphanOwner(rel));
    return { ...base, rel, area: 'prefix', owner };
  });
}
