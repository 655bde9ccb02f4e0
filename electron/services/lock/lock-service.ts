import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { LockOptions, LockResult } from '../../../shared/api/lock';
import { writeCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import { writeExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import {
  cudaKey,
  formatVirtualPackages,
  virtualPackagesKey,
} from '../../../shared/conda/input-hash';
import { diffLocks } from '../../../shared/conda/lock-diff';
import type { CondaLock, LockedPackage } from '../../../shared/conda/lock-model';
import { canonicalChannel } from '../../../shared/conda/match-spec';
import type { EffectiveEnvironment } from '../../../shared/environment/effective-environment';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { parsePipSection } from '../../../shared/pip/requirement';
import { APP_NAME, APP_VERSION } from '../app-info';
import type { ChannelRef } from '../channels/channel-url';
import { cacheDir, resolveChannels, stripAuth } from '../channels/channel-url';
import { RepodataCache } from '../channels/repodata-cache';
import type { Engine } from '../docker/engine';
import { type CommitFile, commitFiles } from '../fs/commit-files';
import { loadRecipe } from '../recipe/recipe-file';
import { prepareBuiltin, type PreparedSolve, solvePrepared } from './builtin-engine';
import { runCondaLock } from './conda-lock-engine';
import {
  explicitLockName,
  inputHash,
  readEnvironment,
  readUnifiedLock,
  UNIFIED_LOCK,
} from './lock-files';
import { condaSizesKey, formatSizes } from './package-sizes';
import { SUPPORTED_PLATFORMS, virtualPackagesFor } from './virtual-packages';

export interface LockServiceDeps {
  /** Shared across locks so a second lock while the app is open reuses repodata in memory. */
  cache?: RepodataCache;
  /**
   * The conda-lock executable: the app's own setting (the CLI's `--conda-lock`, or
   * `$CONDENSE_CONDA_LOCK`), else `conda-lock` on PATH. Never taken from a request.
   */
  condaLockPath?: string;
  /** conda-lock engine: the conda, mamba or micromamba it solves with (`--conda`); a setting too. */
  condaPath?: string;
  /** The engine pip resolves in (a pip: section); default from DOCKER_HOST / the Docker context. */
  engine?: Engine;
}

let sharedCache: RepodataCache | undefined;
/** The process-wide repodata cache in the user cache dir. */
export function defaultRepodataCache(): RepodataCache {
  sharedCache ??= new RepodataCache({ dir: cacheDir() });
  return sharedCache;
}

/**
 * The channels to solve one platform with: the file's, expanded for fetching but recorded as
 * written (no expanded `${VAR}` reaches a lockfile), then any channel a `channel::name` spec names
 * that the list lacks (conda searches it for that package too).
 */
export function lockChannelsOf(env: EffectiveEnvironment): ChannelRef[] {
  const listed = env.channels.filter((c) => c !== 'nodefaults');
  const written = env.channelsAsWritten.filter((c) => c !== 'nodefaults');
  const known = new Set(
    written.flatMap((c) => [canonicalChannel(c), canonicalChannel(stripAuth(c))]),
  );
  const extra = [
    ...new Set(env.conda.flatMap((d) => (d.channel && !known.has(d.channel) ? [d.channel] : []))),
  ];
  const refs = resolveChannels([...listed, ...extra]);
  const asWritten = resolveChannels([...written, ...extra]);
  return refs.map((ref, i) => ({ ...ref, publicUrl: asWritten[i]!.publicUrl }));
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
  const { text, file } = await readEnvironment(projectDir);
  const spec = file.spec;
  const platforms = options.platforms?.length
    ? options.platforms
    : spec.platforms.length
      ? spec.platforms
      : ['linux-64'];
  validatePlatforms(platforms);
  const engine = options.engine ?? 'builtin';

  if (engine === 'conda-lock') {
    await runCondaLock({
      ...options,
      platforms,
      condaLockPath: deps.condaLockPath,
      condaPath: deps.condaPath,
      signal: context.signal,
      progress,
    });
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

  const environments = platforms.map((platform) =>
    effectiveEnvironment(text, platform, process.env),
  );
  // Read before solving: a bad pip line or condense.yml fails at once, not after the conda solve.
  // The lines as written: credentials are expanded only where pip needs them (pip/credentials.ts).
  const pipSections = environments.map((e) => parsePipSection(e.pipAsWritten));
  const recipe = pipSections.some((s) => s.requirements.length > 0)
    ? await loadRecipe(projectDir)
    : undefined;
  if (environments.every((e) => e.conda.length === 0)) {
    throw new CondenseError(
      'INVALID_INPUT',
      'environment.yml has no dependencies to lock: add at least one, e.g. "- python=3.11"',
    );
  }
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

  const previousSizes = new Map(
    (previous?.packages ?? []).flatMap((p) => (p.size === undefined ? [] : [[p.url, p.size]])),
  );
  const packages: LockedPackage[] = [];
  const inputHashes: Record<string, string> = {};
  const customMetadata: Record<string, string> = {};
  const lockChannels = environments.length
    ? lockChannelsOf(environments[0]!).map((c) => c.publicUrl)
    : [];
  const solveOptions = environments.map((env) => {
    const platform = env.platform;
    return {
      channels: lockChannelsOf(env),
      specs: env.conda,
      platform,
      virtualPackages: virtualPackagesFor(platform, {
        cuda: options.cuda,
        overrides: options.virtualPackages,
      }),
      preferred:
        options.updateAll || !previous
          ? []
          : previous.packages.filter(
              (p) => p.platform === platform && p.manager === 'conda' && !update.has(p.name),
            ),
      cache,
      refresh: options.refresh ?? false,
      signal: context.signal,
      progress: (m: string) => progress(m),
    };
  });
  // The first platform prepares alone. When its repodata came from the disk cache, the others
  // prepare together (their reads overlap; a few MB each) and solve one after another. After a
  // download they go one at a time as before, so a cold lock holds one platform's repodata at once.
  const preparing: (Promise<PreparedSolve> | undefined)[] = [];
  for (const [index, env] of environments.entries()) {
    const platform = env.platform;
    if (context.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    progress(`locking ${platform}`, index / platforms.length);
    const { virtualPackages } = solveOptions[index]!;
    const prepared = await (preparing[index] ?? prepareBuiltin(solveOptions[index]!));
    if (index === 0 && prepared.fromDisk) {
      for (let other = 1; other < environments.length; other++) {
        const promise = prepareBuiltin(solveOptions[other]!);
        // Awaited in its turn; until then a failure must not count as unhandled.
        promise.catch(() => undefined);
        preparing[other] = promise;
      }
    }
    const solved = await solvePrepared(prepared);
    // A package kept from the previous lock comes back from the solver without its size: the
    // previous lock's (same URL, same file) stands.
    const sized = solved.map((p) =>
      p.size === undefined && previousSizes.has(p.url)
        ? { ...p, size: previousSizes.get(p.url) }
        : p,
    );
    packages.push(
      ...sized.map((p) => ({ ...p, category: env.category, optional: env.category !== 'main' })),
    );
    // conda-lock.yml has no size field: the Lock screen's download sizes are kept beside.
    const condaSizes = formatSizes(sized);
    if (condaSizes) customMetadata[condaSizesKey(platform)] = condaSizes;
    const pipSection = pipSections[index]!;
    if (recipe && pipSection.requirements.length > 0) {
      // Loaded only for a pip section: the pip resolver brings dockerode, which a conda-only lock
      // (most locks, and every `condense lock` start-up) need not load.
      const { lockPipPackages } = await import('../pip/lock-pip');
      const pip = await lockPipPackages({
        platform,
        lines: env.pipAsWritten,
        section: pipSection,
        repositories: env.pipRepositoriesAsWritten,
        recipe,
        condaPackages: solved,
        previous,
        update,
        updateAll: options.updateAll === true,
        engine: deps.engine,
        signal: context.signal,
        progress: (m) => progress(m),
      });
      packages.push(
        ...pip.packages.map((p) => ({
          ...p,
          category: env.category,
          optional: env.category !== 'main',
        })),
      );
      Object.assign(customMetadata, pip.metadata);
    }
    // A platform's downloaded repodata leaves memory once written (its fsync goes on meanwhile):
    // waiting here keeps a cold lock of several platforms to about one subdir's 240 MB at a time.
    await cache.handedOverAll();
    const custom = options.virtualPackages?.length ? virtualPackages : undefined;
    inputHashes[platform] = inputHash(env, { cuda: options.cuda, customVirtualPackages: custom });
    if (custom) customMetadata[virtualPackagesKey(platform)] = formatVirtualPackages(custom);
    if (options.cuda !== undefined) customMetadata[cudaKey(platform)] = options.cuda;
  }

  const lock: CondaLock = {
    channels: lockChannels,
    platforms,
    inputHashes,
    sources: ['environment.yml'],
    packages,
    ...(Object.keys(customMetadata).length ? { customMetadata } : {}),
  };
  // A cancelled lock leaves the previous lockfiles untouched.
  if (context.signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
  const generator = `${APP_NAME} ${APP_VERSION}`;
  // conda-<platform>.lock and conda-lock.yml commit as one unit: a crash leaves the old pair or the new.
  const commit: CommitFile[] = platforms.map((platform) => ({
    name: explicitLockName(platform),
    data: writeExplicitLockfile(packages, {
      platform,
      // The file's own category (conda-lock's `category:`) is what this lock installs.
      categories: [
        ...new Set([
          'main',
          ...packages.filter((p) => p.platform === platform).map((p) => p.category),
        ]),
      ],
      inputHash: inputHashes[platform]!,
      generator,
      hash: options.hash,
    }),
  }));
  commit.push({ name: UNIFIED_LOCK, data: writeCondaLockYml(lock) });
  await commitFiles(projectDir, commit);
  const files = commit.map((f) => join(projectDir, f.name));
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
