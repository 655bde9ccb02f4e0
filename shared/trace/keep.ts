import type { FileMatcher } from '../recipe/match';
import { selectorMatcher } from '../recipe/match';
import type { PruneSettings } from '../recipe/model';
import { enabledRuleIds } from '../recipe/prune-commands';
import type { TracedFile } from './image-files';
import { relativeToPrefix, tracedFiles } from './image-files';
import type { ImageEntry, TraceAnalysisInput } from './model';
import { isDistributionMetadata, pycSource, pythonPackageOf } from './python-paths';

/** What of the prefix must stay, what may go, and what the traced variant's own rules already took. */
export interface KeepPlan {
  /** Prefix-relative paths of the files and symlinks that stay. */
  kept: Set<string>;
  /** Files and symlinks to remove (unused and not kept by any rule below), sorted by path. */
  removable: TracedFile[];
  /**
   * Files the traced variant's own prune rules remove: gone from its image (or remade after pruning,
   * as `bytecode: compile`'s caches), so the suggestion neither keeps nor names them.
   */
  alreadyPruned: Set<string>;
  /** Prefix-relative folders a check listed or stat'ed, pinned or linked to: never removed whole. */
  usedFolders: Set<string>;
}

/** The matchers of the traced variant's own rules: its catalog rules and its custom globs. */
function variantMatchers(input: TraceAnalysisInput, settings: PruneSettings): FileMatcher[] {
  const on = enabledRuleIds(settings);
  const selectors = [
    ...input.rules.filter((rule) => on.has(rule.id)).map((rule) => rule.selector),
    ...settings.custom.map((glob) => ({ kind: 'paths' as const, paths: [glob] })),
  ];
  return selectors.map((selector) => selectorMatcher(selector, input.prefix));
}

/** The absolute path a symlink points to, `.` and `..` resolved (no further links followed). */
export function linkTarget(entry: ImageEntry): string | undefined {
  if (entry.type !== 'symlink' || entry.target === undefined) return undefined;
  const start = entry.target.startsWith('/') ? [] : entry.path.split('/').slice(1, -1);
  const parts = [...start];
  for (const part of entry.target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * What the `traced` variant keeps of the prefix: the used files; every file of a Python package
 * (a folder of the standard library or of site-packages) any of whose files was used, since the
 * checks rarely reach every code path of a package they import; a used module's bytecode and
 * source; every `*.dist-info` and `*.egg-info` (importlib.metadata reads them by name, often for a
 * version string only); `conda-meta` (image scanners list the packages from it, and no check
 * shows that: removing it is the `conda-meta` rule's choice, not the trace's); the user's `keep` globs; `files:` copied into the prefix; and, as long as
 * something kept is a symlink, a `#!` script or an ELF file, what it points to, runs or loads.
 */
export function keepPlan(input: TraceAnalysisInput, settings: PruneSettings): KeepPlan {
  const files = tracedFiles(input).filter((f) => f.rel !== undefined);
  const prunedBy = variantMatchers(input, settings);
  const keepGlobs = selectorMatcher({ kind: 'paths', paths: input.keep }, input.prefix);

  const kept = new Set<string>();
  const usedPackages = new Set<string>();
  const usedModules = new Set<string>();
  for (const file of files) {
    if (!file.used) continue;
    const rel = file.rel!;
    kept.add(rel);
    const pkg = pythonPackageOf(rel);
    if (pkg) usedPackages.add(pkg);
    // A used source keeps its caches and a used cache its source: the next start may read either.
    usedModules.add(pycSource(rel) ?? rel);
  }
  for (const file of files) {
    const rel = file.rel!;
    const pkg = pythonPackageOf(rel);
    if (
      file.area === 'files' ||
      (pkg !== undefined && usedPackages.has(pkg)) ||
      usedModules.has(pycSource(rel) ?? rel) ||
      isDistributionMetadata(rel) ||
      rel.startsWith('conda-meta/') ||
      keepGlobs({ path: rel, type: file.type })
    )
      kept.add(rel);
  }
  const linkedFolders = keepLinkTargets(input, kept);

  const alreadyPruned = new Set<string>();
  const removable: TracedFile[] = [];
  for (const file of files) {
    const rel = file.rel!;
    if (kept.has(rel)) continue;
    const env = { path: rel, type: file.type };
    if (prunedBy.some((matches) => matches(env))) alreadyPruned.add(rel);
    else removable.push(file);
  }
  const usedFolders = new Set(linkedFolders);
  for (const entry of input.entries) {
    const rel = entry.type === 'dir' ? relativeToPrefix(entry.path, input.prefix) : undefined;
    // A pinned folder stays even when empty.
    if (rel !== undefined && (input.used.has(entry.path) || keepGlobs({ path: rel, type: 'file' })))
      usedFolders.add(rel);
  }
  return { kept, removable, alreadyPruned, usedFolders };
}

/** `/a/b/../c` as `/a/c` (lexically: the loader does the same with `$ORIGIN/../lib`). */
function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * Where the loader finds an ELF file's DT_NEEDED libraries: its RUNPATH/RPATH folders (`$ORIGIN` is
 * the file's own folder), then the prefix's `lib`. Libraries of the runtime base are outside the
 * prefix and stay anyway.
 */
function neededPaths(entry: ImageEntry, prefix: string, byPath: Map<string, ImageEntry>): string[] {
  if (!entry.needed) return [];
  const origin = entry.path.slice(0, entry.path.lastIndexOf('/')) || '/';
  const folders = [
    ...(entry.runpath ?? []).map((dir) =>
      normalizePath(dir.replaceAll('${ORIGIN}', origin).replaceAll('$ORIGIN', origin)),
    ),
    `${prefix}/lib`,
  ];
  const found: string[] = [];
  for (const soname of entry.needed) {
    const path = folders.map((dir) => `${dir}/${soname}`).find((p) => byPath.has(p));
    if (path) found.push(path);
  }
  return found;
}

/**
 * Adds what kept symlinks, `#!` scripts and ELF files need (link targets, interpreters, DT_NEEDED
 * libraries: an extension module of a package kept whole may be imported later by a path no check
 * ran), until nothing more is added; returns the folders kept symlinks point to (kept as folders,
 * their unused contents may go).
 */
function keepLinkTargets(input: TraceAnalysisInput, kept: Set<string>): Set<string> {
  const byPath = new Map(input.entries.map((e) => [e.path, e]));
  const folders = new Set<string>();
  const pending = [...kept];
  while (pending.length > 0) {
    const entry = byPath.get(`${input.prefix}/${pending.pop()!}`);
    if (!entry) continue;
    const nexts = [
      linkTarget(entry),
      entry.interpreter,
      ...neededPaths(entry, input.prefix, byPath),
    ];
    for (const next of nexts) {
      const rel = next === undefined ? undefined : relativeToPrefix(next, input.prefix);
      if (rel === undefined || kept.has(rel)) continue;
      const target = byPath.get(next!);
      if (target?.type === 'dir') folders.add(rel);
      else if (target) {
        kept.add(rel);
        pending.push(rel);
      }
    }
  }
  return folders;
}
