import { selectorMatcher } from './match';
import type { ResolvedRule } from './prune-commands';
import type { PackageFileList } from './savings';

/** A folder of a package (at most `FOLDER_DEPTH` segments below the prefix) and what rules remove there. */
export interface FolderSpace {
  /** Relative to the prefix, e.g. `lib/python3.11/site-packages/numpy`; `.` for files at the top. */
  path: string;
  bytes: number;
  files: number;
  /** Bytes each rule removes in this folder, by rule id (rules removing nothing are left out). */
  removed: Record<string, number>;
  /**
   * Bytes of files that several rules match, by those rules' ids joined with newlines: what makes
   * the bytes of any set of rules exact (see `removedBy`). Absent in data from older versions.
   */
  overlaps?: Record<string, number>;
}

/** Separates rule ids in an `overlaps` key (a custom glob may hold spaces, never a newline). */
const OVERLAP_SEPARATOR = '\n';

/** What one installed package takes in the environment. */
export interface PackageSpace {
  name: string;
  version: string;
  installedBytes: number;
  files: number;
  /** Largest first. */
  folders: FolderSpace[];
}

/** Deep enough to tell `site-packages/<module>/<part>` apart, shallow enough to stay a few thousand folders. */
export const FOLDER_DEPTH = 5;

/** The folder a file is counted in: its own, cut at `FOLDER_DEPTH` segments (`.` at the top). */
export function folderOf(path: string): string {
  const parts = path.split('/').slice(0, -1);
  return parts.length === 0 ? '.' : parts.slice(0, FOLDER_DEPTH).join('/');
}

/**
 * The environment by package and folder, with the bytes every rule removes in each folder. Paths
 * clobbered by several packages belong to the last one (install order), as in `estimateSavings`.
 */
export function environmentSpace(
  packages: PackageFileList[],
  rules: ResolvedRule[],
  prefix: string,
): PackageSpace[] {
  const owner = new Map<string, string>();
  for (const pkg of packages) for (const file of pkg.files) owner.set(file.path, pkg.name);
  const matchers = rules.map((rule) => ({
    id: rule.id,
    matches: selectorMatcher(rule.selector, prefix),
  }));
  const result: PackageSpace[] = [];
  for (const pkg of packages) {
    const folders = new Map<string, FolderSpace>();
    let installedBytes = 0;
    let files = 0;
    for (const file of pkg.files) {
      if (owner.get(file.path) !== pkg.name) continue;
      installedBytes += file.size;
      files += 1;
      const key = folderOf(file.path);
      let folder = folders.get(key);
      if (!folder) {
        folder = { path: key, bytes: 0, files: 0, removed: {}, overlaps: {} };
        folders.set(key, folder);
      }
      folder.bytes += file.size;
      folder.files += 1;
      const matched: string[] = [];
      for (const { id, matches } of matchers) {
        if (!matches(file)) continue;
        folder.removed[id] = (folder.removed[id] ?? 0) + file.size;
        matched.push(id);
      }
      if (matched.length > 1) {
        const overlaps = (folder.overlaps ??= {});
        const together = matched.join(OVERLAP_SEPARATOR);
        overlaps[together] = (overlaps[together] ?? 0) + file.size;
      }
    }
    result.push({
      name: pkg.name,
      version: pkg.version,
      installedBytes,
      files,
      folders: [...folders.values()].sort(
        (a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path),
      ),
    });
  }
  return result.sort((a, b) => b.installedBytes - a.installedBytes || a.name.localeCompare(b.name));
}

/**
 * Bytes the enabled rules remove from a folder, each file counted once. A file that k enabled rules
 * match is in k per-rule figures, so `overlaps` takes it back k - 1 times. Without `overlaps` (older
 * data) the sum is an upper bound, capped at the folder's size.
 */
export function removedBy(folder: FolderSpace, enabled: Set<string>): number {
  let sum = 0;
  for (const [id, bytes] of Object.entries(folder.removed)) if (enabled.has(id)) sum += bytes;
  if (!folder.overlaps) return Math.min(sum, folder.bytes);
  for (const [together, bytes] of Object.entries(folder.overlaps)) {
    const hits = together.split(OVERLAP_SEPARATOR).filter((id) => enabled.has(id)).length;
    if (hits > 1) sum -= bytes * (hits - 1);
  }
  return sum;
}
