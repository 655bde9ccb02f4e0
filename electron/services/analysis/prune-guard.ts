import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { shareProblem, topLevelProblem } from '../../../shared/recipe/guards';
import type { PruneSettings, Recipe } from '../../../shared/recipe/model';
import type { PackageFileList } from '../../../shared/recipe/savings';
import { estimateSavings } from '../../../shared/recipe/savings';
import type { RecipeIssue } from '../../../shared/recipe/validate';
import { fileListOf } from './file-list-cache';
import { installedFiles, pythonVersionOf } from './installed-files';

/**
 * The locked environment's file lists when every package's list is already in the cache (after an
 * analysis or an earlier build), else undefined: the guard never downloads packages by itself.
 */
export async function cachedFileLists(
  projectDir: string,
  recipe: Recipe,
  cacheRoot: string,
): Promise<PackageFileList[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(projectDir, recipe.lockfile), 'utf8');
  } catch {
    return undefined;
  }
  let packages;
  try {
    packages = parseExplicitLockfile(text).packages.filter((p) => p.manager === 'conda');
  } catch {
    return undefined;
  }
  const metadata = [];
  for (const pkg of packages) {
    const list = await fileListOf(pkg, { cacheRoot, cachedOnly: true });
    if (!list) return undefined;
    metadata.push(list);
  }
  const python = pythonVersionOf(metadata);
  return metadata.map((m) => installedFiles(m, python));
}

/**
 * Custom globs that the lock shows to be too broad: a whole top-level folder the environment has
 * (beyond the usual names), or more than half of its bytes. Rules with `force: true` pass.
 */
export function customGlobIssues(recipe: Recipe, lists: PackageFileList[]): RecipeIssue[] {
  const topLevel = new Set(
    lists.flatMap((l) => l.files.map((f) => f.path.split('/')[0]!)).filter(Boolean),
  );
  const issues: RecipeIssue[] = [];
  const check = (field: string, prune: PruneSettings) => {
    prune.custom.forEach((glob, i) => {
      if (prune.force?.includes(glob)) return;
      const rule = { id: `custom:${glob}`, title: glob, risk: 'custom' as const };
      const estimate = estimateSavings(
        lists,
        [{ ...rule, selector: { kind: 'paths', paths: [glob] } }],
        recipe.prefix,
      );
      const problem =
        topLevelProblem(glob, topLevel) ??
        shareProblem(glob, estimate.totalBytes, estimate.environmentBytes);
      if (problem) issues.push({ field: `${field}.custom[${i}]`, message: problem });
    });
  };
  check('prune', recipe.prune);
  recipe.variants.forEach((v, i) => check(`variants[${i}].prune`, v.prune));
  return issues;
}

/** Throws INVALID_INPUT (with the estimate) when the lock shows a custom glob to be too broad. */
export async function assertCustomGlobs(
  projectDir: string,
  recipe: Recipe,
  cacheRoot: string,
): Promise<void> {
  const hasCustom =
    recipe.prune.custom.length > 0 || recipe.variants.some((v) => v.prune.custom.length > 0);
  if (!hasCustom) return;
  const lists = await cachedFileLists(projectDir, recipe, cacheRoot);
  if (!lists) return;
  const issues = customGlobIssues(recipe, lists);
  if (issues.length === 0) return;
  throw new CondenseError(
    'INVALID_INPUT',
    `condense.yml: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    { issues },
  );
}
