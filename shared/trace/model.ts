/**
 * Tracing: which files of a built image its checks really use. The checks run in a trace image (the
 * variant's image plus the tracer in `/.condense-trace`) under `strace -f`, the logs are parsed into
 * paths, and the paths are resolved against the image's own filesystem. From that come the report
 * (used against shipped, per package and folder) and the suggested `traced` variant.
 * Plain data shared by the trace service, the CLI and the Results screen.
 */

import type { ImageFile, PruneSettings } from '../recipe/model';
import type { ResolvedRule } from '../recipe/prune-commands';
import type { PackageFileList } from '../recipe/savings';

/** Where the tracer and its logs live in a trace image; never part of a user's image. */
export const TRACE_ROOT = '/.condense-trace';

/** One entry of the image's filesystem (from `docker export` of a created container). */
export interface ImageEntry {
  /** Absolute, normalized, no trailing slash (`/env/lib/libz.so.1`). */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Bytes of a regular file; 0 for folders and symlinks. */
  size: number;
  /** A symlink's target as stored (relative or absolute). */
  target?: string;
  /** For a file starting with `#!`: the interpreter path (`/env/bin/python3.11`). */
  interpreter?: string;
  /** For an ELF file: the libraries it asks the loader for (DT_NEEDED sonames). */
  needed?: string[];
  /** For an ELF file: where it asks the loader to look (DT_RUNPATH or DT_RPATH, `$ORIGIN` as written). */
  runpath?: string[];
}

/** How a traced process touched a path. */
export type AccessKind = 'open' | 'exec' | 'stat' | 'list';

/** A path as one system call named it, made absolute with the caller's folder (not yet canonical). */
export interface TraceAccess {
  path: string;
  kind: AccessKind;
}

/** What ran under the tracer: the checks of the variant and the user's extra probes. */
export interface TraceProbe {
  kind: 'imports' | 'command' | 'service';
  /** One line: the command or the request. */
  label: string;
  passed: boolean;
  message: string;
}

/** Used and shipped bytes of one folder of a package (at most `FOLDER_DEPTH` segments below the prefix). */
export interface FolderUsage {
  /** Relative to the prefix (`lib/python3.11/site-packages/numpy`); absolute for files outside it. */
  path: string;
  usedBytes: number;
  shippedBytes: number;
  /** Of the folder's unused bytes, what each catalog rule removes (rules removing nothing left out). */
  unusedRemovedBy: Record<string, number>;
}

/**
 * Used and shipped bytes of one package. Besides the conda and pip packages there are pseudo
 * packages in parentheses: `(your package)`, `(your files)` (`files:` of condense.yml),
 * `(conda metadata)`, `(installed by no package)`.
 */
export interface PackageUsage {
  name: string;
  usedBytes: number;
  shippedBytes: number;
  /** Largest first. */
  folders: FolderUsage[];
}

/** What one catalog rule would remove of the traced image. */
export interface RuleUsage {
  id: string;
  title: string;
  /** Bytes it removes that no check used. */
  unusedBytes: number;
  /** Bytes it removes that a check used: the rule would break what was traced. */
  usedBytes: number;
  /** Some used paths it removes, for the warning. */
  usedExamples: string[];
}

export interface UnusedFile {
  path: string;
  bytes: number;
  package: string;
}

/** The physical limit of one variant: what its checks used against what it ships. */
export interface TraceReport {
  variant: string;
  prefix: string;
  /** Bytes of the files the checks used, outside the runtime base. */
  usedBytes: number;
  /** Every byte of the image, the runtime base included. */
  shippedBytes: number;
  /** The runtime base image's files (kept whole: the limit counts them as used). */
  baseBytes: number;
  /** usedBytes + baseBytes: no variant that keeps its checks passing can be smaller. */
  limitBytes: number;
  /** Largest shipped first. */
  packages: PackageUsage[];
  rules: RuleUsage[];
  /** The largest unused files (at most 20). */
  largestUnused: UnusedFile[];
  probes: TraceProbe[];
}

/** Everything the report and the suggestion read: the traced image, what was used, and the recipe. */
export interface TraceAnalysisInput {
  /** The traced variant's id. */
  variant: string;
  /** The environment prefix (`/env`). */
  prefix: string;
  /** The traced image's whole filesystem (runtime base, prefix, `files:`), `TRACE_ROOT` excluded. */
  entries: ImageEntry[];
  /**
   * Canonical absolute paths the checks used: files, folders and symlinks (symlinks on the way and
   * `#!` interpreters included). Parent folders of used paths are not necessarily listed.
   */
  used: ReadonlySet<string>;
  /** conda and pip packages with prefix-relative files, in install order (the last owner wins). */
  packages: PackageFileList[];
  /** condense.yml's `files:`, outside or inside the prefix. */
  files: ImageFile[];
  /** Every catalog rule resolved for the recipe's platform. */
  rules: ResolvedRule[];
  /** The user's pins (`trace.keep`): prefix-relative sh globs that must stay. */
  keep: string[];
  probes: TraceProbe[];
  /**
   * Absolute paths of the runtime base image's own entries, when the tracer knows them. Without it,
   * everything outside the prefix that is not under a `files:` target is the base.
   */
  basePaths?: ReadonlySet<string>;
}

/** One group of the suggested variant's custom rules, with the reason written beside it. */
export interface SuggestionGroup {
  reason: string;
  /** Sorted. */
  globs: string[];
  /** Globs of `globs` written with `force: true` (a whole top-level folder or most of the environment). */
  forced: string[];
  bytes: number;
}

/** The `traced` variant: the traced variant's own prune settings plus custom rules for the rest. */
export interface TraceSuggestion {
  variantId: string;
  /** The variant the suggestion starts from (its preset, rules and bytecode setting). */
  from: string;
  groups: SuggestionGroup[];
  /** Bytes the custom rules remove, and what the image keeps of the traced one's bytes. */
  removedBytes: number;
  keptBytes: number;
  /** The `traced` variant's prune settings: the traced one's plus the groups' globs, reasons and forces. */
  prune: PruneSettings;
}

/** The id of the suggested variant in condense.yml. */
export const TRACED_VARIANT_ID = 'traced';
