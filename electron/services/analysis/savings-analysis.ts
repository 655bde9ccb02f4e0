import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { SavingsReport, SelectionSaving } from '../../../shared/api/recipe';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { PRUNE_RULES } from '../../../shared/recipe/catalog';
import type { PruneSettings, Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import type { PackageFileList, RuleSaving } from '../../../shared/recipe/savings';
import { estimateSavings } from '../../../shared/recipe/savings';
import { environmentSpace } from '../../../shared/recipe/space';
import { checkImageFiles } from '../build/preflight';
import { pipFileLists } from '../pip/pip-file-lists';
import { fileListsOf } from './file-list-cache';
import { installedFiles, pythonVersionOf } from './installed-files';
import { customGlobIssues } from './prune-guard';

export interface AnalyzeOptions {
  projectDir: string;
  recipe: Recipe;
  /** User cache root (`cacheDir()`). */
  cacheRoot: string;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
  fetchImpl?: typeof fetch;
}

/** The installed file lists of a project's locked packages (downloaded once, then cached). */
export async function lockedFileLists(options: AnalyzeOptions): Promise<{
  lists: PackageFileList[];
  cached: number;
  pythonVersion?: string;
  warnings: string[];
}> {
  const lockPath = join(options.projectDir, options.recipe.lockfile);
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch {
    throw new CondenseError(
      'NOT_FOUND',
      `No lockfile ${options.recipe.lockfile} in ${options.projectDir}: lock the environment first (condense lock)`,
    );
  }
  const locked = parseExplicitLockfile(text).packages;
  const packages = locked.filter((p) => p.manager === 'conda');
  const pipPackages = locked.filter((p) => p.manager === 'pip');
  const metadata = await fileListsOf(packages, {
    cacheRoot: options.cacheRoot,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
    onProgress: (done, total, name) =>
      options.onProgress?.(`File list of ${name} (${done}/${total})`, done / total),
  });
  const pythonVersion = pythonVersionOf(metadata);
  const warnings: string[] = [];
  for (const m of metadata) {
    if (m.paths.length > 0 && m.paths.every((p) => p.size === 0))
      warnings.push(`${m.index.name} has no info/paths.json: its files count as 0 bytes`);
  }
  // noarch python packages' bytecode, compiled by conda at install, is in the estimate: installedFiles
  // adds a pyc for each of their modules (pycSize).
  if (metadata.some((m) => m.index.noarch === 'python') && !pythonVersion)
    warnings.push('noarch python packages but no python in the lock: their paths stay unmapped');
  const pipLists = pythonVersion
    ? await pipFileLists(options.projectDir, options.recipe, pipPackages, {
        cacheRoot: options.cacheRoot,
        pythonVersion,
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : [];
  if (pipPackages.length > 0 && !pythonVersion)
    warnings.push('pip packages but no python in the lock: their files are not in the estimate');
  return {
    lists: [...metadata.map((m) => installedFiles(m, pythonVersion)), ...pipLists],
    cached: metadata.filter((m) => m.cached).length + pipLists.filter((l) => l.cached).length,
    ...(pythonVersion ? { pythonVersion } : {}),
    warnings,
  };
}

const memo = new Map<string, Promise<Awaited<ReturnType<typeof lockedFileLists>>>>();

/**
 * The file lists of the lock as it is on disk now, kept in memory while the lockfile is unchanged:
 * custom-glob estimates are asked for as the user types.
 */
async function currentFileLists(options: AnalyzeOptions) {
  const lockPath = join(options.projectDir, options.recipe.lockfile);
  const info = await stat(lockPath).catch(() => undefined);
  const key = `${lockPath}\0${info?.mtimeMs ?? 0}\0${info?.size ?? 0}`;
  let lists = memo.get(key);
  if (!lists) {
    for (const old of memo.keys()) if (old.startsWith(`${lockPath}\0`)) memo.delete(old);
    lists = lockedFileLists(options);
    memo.set(key, lists);
    lists.catch(() => memo.delete(key));
  }
  return lists;
}

/** What each custom glob would remove from the locked environment (the Image screen, as typed). */
export async function estimateGlobs(
  options: AnalyzeOptions,
  globs: string[],
): Promise<RuleSaving[]> {
  const { lists } = await currentFileLists(options);
  const rules = resolvePrune(
    { preset: 'none', add: [], remove: [], custom: globs },
    options.recipe.platform,
  );
  return estimateSavings(lists, rules, options.recipe.prefix).rules;
}

/**
 * What every prune rule would remove from the locked environment, before building: bytes, files and
 * owning packages per rule, and per selection (recipe and variants) with overlaps counted once.
 */
export async function analyzeSavings(options: AnalyzeOptions): Promise<SavingsReport> {
  const { recipe } = options;
  const { lists, cached, pythonVersion, warnings } = await lockedFileLists(options);
  // The refusals a build would give, shown with their estimate before anyone builds.
  for (const issue of customGlobIssues(recipe, lists))
    warnings.push(`${issue.field}: ${issue.message} (a build refuses it)`);
  options.onProgress?.('Matching prune rules', 1);
  const every: PruneSettings = {
    preset: 'none',
    add: PRUNE_RULES.map((r) => r.id),
    remove: [],
    custom: [
      ...new Set([...recipe.prune.custom, ...recipe.variants.flatMap((v) => v.prune.custom)]),
    ],
    // A glob written with `force: true` (the traced variant's `share`, `ssl`...) stays forced here.
    force: [
      ...new Set([
        ...(recipe.prune.force ?? []),
        ...recipe.variants.flatMap((v) => v.prune.force ?? []),
      ]),
    ],
  };
  const everyRule = resolvePrune(every, recipe.platform);
  const all = estimateSavings(lists, everyRule, recipe.prefix);
  const selectedIds = new Set(resolvePrune(recipe.prune, recipe.platform).map((r) => r.id));
  const selection = (id: string, prune: PruneSettings): SelectionSaving => {
    const rules = resolvePrune(prune, recipe.platform);
    // `compile` prunes the caches and then compileall writes one pyc for every module left, about
    // what the install wrote: the image ends as large as with `keep` (the seed service measured
    // 385.5 MiB for both, 285.4 MiB with `drop`), so the saving is the one without the cache rule.
    const sized =
      prune.bytecode === 'compile'
        ? resolvePrune({ ...prune, bytecode: 'keep' }, recipe.platform)
        : rules;
    const estimate = estimateSavings(lists, sized, recipe.prefix);
    return {
      id,
      ruleIds: rules.map((r) => r.id),
      bytes: estimate.totalBytes,
      files: estimate.totalFiles,
    };
  };
  // The `files:` entries ship on top of the environment; a problem with one is a warning here (the
  // build refuses it).
  let filesBytes = 0;
  if (recipe.files.length > 0) {
    try {
      const files = await checkImageFiles(options.projectDir, recipe.files, options.signal);
      filesBytes = files.bytes;
      warnings.push(...files.warnings);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      warnings.push(error instanceof Error ? error.message : String(error));
    }
  }
  return {
    lockfile: recipe.lockfile,
    packages: lists.length,
    ...(recipe.files.length > 0 ? { filesBytes } : {}),
    cachedPackages: cached,
    ...(pythonVersion ? { pythonVersion } : {}),
    environmentBytes: all.environmentBytes,
    environmentFiles: all.environmentFiles,
    rules: all.rules.map((rule) => ({ ...rule, selected: selectedIds.has(rule.ruleId) })),
    selections: [
      selection('recipe', recipe.prune),
      ...recipe.variants.map((v) => selection(v.id, v.prune)),
    ],
    space: environmentSpace(lists, everyRule, recipe.prefix),
    warnings,
  };
}
