import type { FileMatcher } from '../recipe/match';
import { selectorMatcher } from '../recipe/match';
import { FOLDER_DEPTH, folderOf } from '../recipe/space';
import type { TracedFile } from './image-files';
import { tracedFiles } from './image-files';
import type {
  FolderUsage,
  PackageUsage,
  RuleUsage,
  TraceAnalysisInput,
  TraceReport,
  UnusedFile,
} from './model';

/** How many unused files the report names. */
export const LARGEST_UNUSED = 20;
/** How many used paths a rule's warning names. */
export const USED_EXAMPLES = 5;

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The folder a file counts in: as `environmentSpace` inside the prefix, absolute outside it. */
function reportFolder(file: TracedFile): string {
  if (file.rel !== undefined) return folderOf(file.rel);
  const parts = file.path.split('/').slice(1, -1);
  return `/${parts.slice(0, FOLDER_DEPTH).join('/')}`;
}

interface RuleMatch {
  id: string;
  matches: FileMatcher;
}

/** The indexes of the rules that remove a file of the prefix (rules act on the prefix only). */
function rulesRemoving(file: TracedFile, rules: RuleMatch[]): number[] {
  if (file.rel === undefined) return [];
  const env = { path: file.rel, type: file.type };
  return rules.flatMap((rule, i) => (rule.matches(env) ? [i] : []));
}

function packageUsage(name: string, files: TracedFile[], rules: RuleMatch[]): PackageUsage {
  const folders = new Map<string, FolderUsage>();
  let usedBytes = 0;
  let shippedBytes = 0;
  for (const file of files) {
    const key = reportFolder(file);
    let folder = folders.get(key);
    if (!folder) {
      folder = { path: key, usedBytes: 0, shippedBytes: 0, unusedRemovedBy: {} };
      folders.set(key, folder);
    }
    shippedBytes += file.size;
    folder.shippedBytes += file.size;
    if (file.used) {
      usedBytes += file.size;
      folder.usedBytes += file.size;
      continue;
    }
    for (const i of rulesRemoving(file, rules)) {
      const id = rules[i]!.id;
      folder.unusedRemovedBy[id] = (folder.unusedRemovedBy[id] ?? 0) + file.size;
    }
  }
  return {
    name,
    usedBytes,
    shippedBytes,
    folders: [...folders.values()].sort(
      (a, b) => b.shippedBytes - a.shippedBytes || byPath(a.path, b.path),
    ),
  };
}

/**
 * The physical limit of a traced variant: what its checks used against what it ships, per package
 * and folder, what each catalog rule would remove of the unused (and, as a warning, of the used)
 * bytes, and the largest unused files. The runtime base counts as used: no variant removes it.
 */
export function traceReport(input: TraceAnalysisInput): TraceReport {
  const files = tracedFiles(input);
  const rules = input.rules.map((rule) => ({
    id: rule.id,
    matches: selectorMatcher(rule.selector, input.prefix),
  }));

  let shippedBytes = 0;
  let baseBytes = 0;
  let usedBytes = 0;
  const byOwner = new Map<string, TracedFile[]>();
  for (const file of files) {
    shippedBytes += file.size;
    if (file.area === 'base') {
      baseBytes += file.size;
      continue;
    }
    if (file.used) usedBytes += file.size;
    const owned = byOwner.get(file.owner!) ?? [];
    owned.push(file);
    byOwner.set(file.owner!, owned);
  }

  const ruleUsage = input.rules.map((rule): RuleUsage => ({
    id: rule.id,
    title: rule.title,
    unusedBytes: 0,
    usedBytes: 0,
    usedExamples: [],
  }));
  const usedRemoved = ruleUsage.map(() => [] as TracedFile[]);
  for (const file of files) {
    for (const i of rulesRemoving(file, rules)) {
      const usage = ruleUsage[i]!;
      if (file.used) {
        usage.usedBytes += file.size;
        usedRemoved[i]!.push(file);
      } else usage.unusedBytes += file.size;
    }
  }
  ruleUsage.forEach((usage, i) => {
    // The largest first: a 0-byte symlink says less than the library behind it.
    usage.usedExamples = usedRemoved[i]!.sort((a, b) => b.size - a.size || byPath(a.path, b.path))
      .slice(0, USED_EXAMPLES)
      .map((f) => f.path);
  });

  const largestUnused: UnusedFile[] = files
    .filter((f) => !f.used && f.area !== 'base' && f.size > 0)
    .sort((a, b) => b.size - a.size || byPath(a.path, b.path))
    .slice(0, LARGEST_UNUSED)
    .map((f) => ({ path: f.path, bytes: f.size, package: f.owner! }));

  return {
    variant: input.variant,
    prefix: input.prefix,
    usedBytes,
    shippedBytes,
    baseBytes,
    limitBytes: usedBytes + baseBytes,
    packages: [...byOwner.entries()]
      .map(([name, owned]) => packageUsage(name, owned, rules))
      .sort((a, b) => b.shippedBytes - a.shippedBytes || byPath(a.name, b.name)),
    rules: ruleUsage,
    largestUnused,
    probes: input.probes,
  };
}
