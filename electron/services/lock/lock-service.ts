import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { LockOptions, LockResult } from '../../../shared/api/lock';
import { writeCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import { writeExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { formatVirtualPackages, virtualPackagesKey } from '../../../shared/conda/input-hash';
import { diffLocks } from '../../../shared/conda/lock-diff';
import type { CondaLock, LockedPackage } from '../../../shared/conda/lock-model';
import { parsePipSection } from '../../../shared/pip/requirement';
import { APP_NAME, APP_VERSION } from '../app-info';
import { cacheDir, resolveChannels } from '../channels/channel-url';
import { RepodataCache } from '../channels/repodata-cache';
import type { Engine } from '../docker/engine';
import { writeFileAtomic } from '../fs/atomic-write';
import { lockPipPackages } from '../pip/lock-pip';
import { loadRecipe } from '../recipe/recipe-file';
import { solveBuiltin } from './builtin-engine';
import { runCondaLock } from './conda-lock-engine';
import {
  explicitLockName,
  inputHash,
  readEnvironment,
  readUnifiedLock,
  UNIFIED_LOCK,
} from './lock-files';
import { SUPPORTED_PLATFORMS, virtualPackagesFor } from './virtual-packages';

export interface LockServiceDeps {
  /** Shared across locks so a second lock while the app is open reuses repodata in memory. */
  cache?: RepodataCache;
  /** The engine pip resolves in (a pip: section); default from DOCKER_HOST / the Docker context. */
  engine?: Engine;
}

let sharedCache: RepodataCache | undefined;
/** The process-wide repodata cache in the user cache dir. */
export function defaultRepodataCache(): RepodataCache {
  sharedCache ??= new RepodataCache({ dir: cacheDir() });
  return sharedCache;
}

function validatePlatforms(platforms: string[]): void {
  for (const p of platforms) {
    if (!SUPPORTED_PLATFORMS.includes(p)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `unknown platform "${p}": use one of ${SUPPORTED_PLATFORMS.join(', ')}`,
      );
    }
  }
}

/**
 * Locks a project: reads environment.yml, solves each platform, writes `conda-<platform>.lock` and
 * `conda-lock.yml`. A previous lock's packages are kept where they still fit unless `updateAll`, or
 * unless they are named in `update`.
 */
export async function lockProject(
  options: LockOptions,
  context: { signal?: AbortSignal; progress?: (message: string, fraction?: number) => void },
  deps: LockServiceDeps = {},
): Promise<LockResult> {
  const started = performance.now();
  const { projectDir } = options;
  const progress = context.progress ?? (() => undefined);
  const { file } = await readEnvironment(projectDir);
  const spec = file.spec;
  const platforms = options.platforms?.length
    ? options.platforms
    : spec.platforms.length
      ? spec.platforms
      : ['linux-64'];
  validatePlatforms(platforms);
  const engine = options.engine ?? 'builtin';

  if (engine === 'conda-lock') {
    await runCondaLock({ ...options, platforms, signal: context.signal, progress });
    const written = await readUnifiedLock(projectDir);
    return {
      engine,
      files: [UNIFIED_LOCK, ...platforms.map(explicitLockName)].map((f) => join(projectDir, f)),
      platforms: platforms.map((platform) => ({
        platform,
        packages: written?.packages.filter((p) => p.platform === platform).length ?? 0,
      })),
      durationMs: Math.round(performance.now() - started),
    };
  }

  // Read before solving: a bad pip line or condense.yml fails at once, not after the conda solve.
  const pipSection = parsePipSection(spec.pip);
  const recipe = pipSection.requirements.length > 0 ? await loadRecipe(projectDir) : undefined;
  if (spec.dependencies.length === 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      'environment.yml has no dependencies to lock: add at least one, e.g. "- python=3.11"',
    );
  }
  const channels = resolveChannels(spec.channels);
  const cache = deps.cache ?? defaultRepodataCache();
  const previous = await readUnifiedLock(projectDir).catch(() => undefined);
  const update = new Set((options.update ?? []).map((n) => n.toLowerCase()));
  if (previous && update.size > 0) {
    const known = new Set(previous.packages.map((p) => p.name));
    const missing = [...update].filter((n) => !known.has(n));
    if (missing.length > 0) {
      throw new CondenseError(
        'NOT_FOUND',
        `cannot update ${missing.join(', ')}: not in the current lock`,
        { packages: missing },
      );
    }
  }

  const packages: LockedPackage[] = [];
  const inputHashes: Record<string, string> = {};
  const customMetadata: Record<string, string> = {};
  for (const [index, platform] of platforms.entries()) {
    if (context.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    progress(`locking ${platform}`, index / platforms.length);
    const virtualPackages = virtualPackagesFor(platform, {
      cuda: options.cuda,
      overrides: options.virtualPackages,
    });
    const preferred =
      options.updateAll || !previous
        ? []
        : previous.packages.filter(
            (p) => p.platform === platform && p.manager === 'conda' && !update.has(p.name),
          );
    const solved = await solveBuiltin({
      channels,
      specs: spec.dependencies,
      platform,
      virtualPackages,
      preferred,
      cache,
      signal: context.signal,
      progress: (m) => progress(m),
    });
    packages.push(...solved);
    if (recipe) {
      const pip = await lockPipPackages({
        platform,
        lines: spec.pip,
        section: pipSection,
        recipe,
        condaPackages: solved,
        previous,
        update,
        updateAll: options.updateAll === true,
        engine: deps.engine,
        signal: context.signal,
        progress: (m) => progress(m),
      });
      packages.push(...pip.packages);
      Object.assign(customMetadata, pip.metadata);
    }
    inputHashes[platform] = inputHash(spec, platform, virtualPackages);
    customMetadata[virtualPackagesKey(platform)] = formatVirtualPackages(virtualPackages);
  }

  const lock: CondaLock = {
    channels: channels.map((c) => c.publicUrl),
    platforms,
    inputHashes,
    sources: ['environment.yml'],
    packages,
    customMetadata,
  };
  // A cancelled lock leaves the previous lockfiles untouched.
  if (context.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
  const files: string[] = [];
  const generator = `${APP_NAME} ${APP_VERSION}`;
  for (const platform of platforms) {
    const path = join(projectDir, explicitLockName(platform));
    const text = writeExplicitLockfile(packages, {
      platform,
      inputHash: inputHashes[platform]!,
      generator,
      hash: options.hash,
    });
    await writeFileAtomic(path, text);
    files.push(path);
  }
  const unified = join(projectDir, UNIFIED_LOCK);
  await writeFileAtomic(unified, writeCondaLockYml(lock));
  files.push(unified);
  // Repodata cache writes ran alongside the solve; the lock is done once they are on disk too.
  await cache.flush();
  progress('lock written', 1);
  const diff = previous ? diffLocks(previous.packages, packages) : undefined;
  return {
    engine,
    files,
    platforms: platforms.map((platform) => ({
      platform,
      packages: packages.filter((p) => p.platform === platform).length,
    })),
    ...(diff
      ? {
          diff: {
            added: diff.added.length,
            removed: diff.removed.length,
            changed: diff.changed.length,
            unchanged: diff.unchanged,
          },
        }
      : {}),
    durationMs: Math.round(performance.now() - started),
  };
}
