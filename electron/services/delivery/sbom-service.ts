import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import type { LockedPackage } from '../../../shared/conda/lock-model';
import type { PackageRemoval, SpdxDocument } from '../../../shared/delivery/sbom';
import { buildSbom } from '../../../shared/delivery/sbom';
import type { Recipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import { estimateSavings } from '../../../shared/recipe/savings';
import { fileListsOf } from '../analysis/file-list-cache';
import { lockedFileLists } from '../analysis/savings-analysis';
import { APP_NAME, APP_VERSION } from '../app-info';
import { defaultRepository } from '../build/build-service';
import { readUnifiedLock } from '../lock/lock-files';
import { loadRecipe } from '../recipe/recipe-file';

export interface SbomOptions {
  projectDir: string;
  /** A variant id of condense.yml; none: the environment as locked, with every variant's removals. */
  variant?: string;
  cacheRoot: string;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
  /** ISO time for the document; defaults to SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
  created?: string;
}

/** The short hash that names a lock: sha256 of the explicit lockfile the image installs. */
export async function lockHashOf(projectDir: string, recipe: Recipe): Promise<string> {
  const text = await readLockfile(projectDir, recipe);
  return createHash('sha256').update(text).digest('hex');
}

async function readLockfile(projectDir: string, recipe: Recipe): Promise<string> {
  try {
    return await readFile(join(projectDir, recipe.lockfile), 'utf8');
  } catch {
    throw new CondenseError(
      'NOT_FOUND',
      `No lockfile ${recipe.lockfile} in ${projectDir}: lock the environment first (condense lock)`,
    );
  }
}

function createdAt(explicit?: string): string {
  if (explicit) return explicit;
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const date = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * SPDX 2.3 for the project's lock: conda packages from the explicit file the image installs (pip
 * packages from conda-lock.yml), licences from each package's own metadata, and what the prune rules
 * of each variant (or the one asked for) remove.
 */
export async function projectSbom(options: SbomOptions): Promise<SpdxDocument> {
  const recipe = await loadRecipe(options.projectDir);
  const variants = options.variant
    ? recipe.variants.filter((v) => v.id === options.variant)
    : recipe.variants;
  if (options.variant && variants.length === 0) {
    const known = recipe.variants.map((v) => v.id).join(', ') || 'none';
    throw new CondenseError(
      'INVALID_INPUT',
      `condense.yml has no variant "${options.variant}" (variants: ${known})`,
      { field: 'variant' },
    );
  }
  const explicit = await readLockfile(options.projectDir, recipe);
  const fromExplicit: LockedPackage[] = parseExplicitLockfile(explicit).packages.map((p) => ({
    ...p,
    platform: recipe.platform,
  }));
  const conda = fromExplicit.filter((p) => p.manager === 'conda');
  // pip packages: conda-lock.yml's entries carry their dependencies; the `# pip` lines do not.
  const unified = await readUnifiedLock(options.projectDir);
  const unifiedPip = (unified?.packages ?? []).filter(
    (p) => p.manager === 'pip' && p.platform === recipe.platform,
  );
  const pip = unifiedPip.length > 0 ? unifiedPip : fromExplicit.filter((p) => p.manager === 'pip');
  options.onProgress?.('Reading package metadata', 0);
  const analyze = {
    projectDir: options.projectDir,
    recipe,
    cacheRoot: options.cacheRoot,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const metadata = await fileListsOf(conda, {
    cacheRoot: options.cacheRoot,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const licenses: Record<string, string | undefined> = {};
  for (const m of metadata) licenses[m.index.name] = m.index.license;
  const removals: PackageRemoval[] = [];
  if (variants.length > 0) {
    const { lists } = await lockedFileLists(analyze);
    for (const variant of variants) {
      const estimate = estimateSavings(
        lists,
        resolvePrune(variant.prune, recipe.platform),
        recipe.prefix,
      );
      for (const rule of estimate.rules)
        for (const owner of rule.owners)
          removals.push({
            variant: variant.id,
            package: owner.name,
            ruleId: rule.ruleId,
            files: owner.files,
            bytes: owner.bytes,
          });
    }
  }
  return buildSbom({
    name: defaultRepository(options.projectDir),
    lockHash: createHash('sha256').update(explicit).digest('hex'),
    ...(options.variant ? { variant: options.variant } : {}),
    platform: recipe.platform,
    packages: [...conda, ...pip],
    licenses,
    removals,
    created: createdAt(options.created),
    tool: `${APP_NAME.toLowerCase()}-${APP_VERSION}`,
  });
}
