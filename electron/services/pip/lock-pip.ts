import { createHash } from 'node:crypto';

import { CondenseError } from '../../../shared/api/errors';
import { writeExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import type { CondaLock, LockedPackage } from '../../../shared/conda/lock-model';
import type { PipSection } from '../../../shared/pip/requirement';
import type { Recipe } from '../../../shared/recipe/model';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { pipSizesKey } from '../lock/package-sizes';
import { deadline } from '../wait/deadline';
import type { PipIndexes } from './credentials';
import { parseNetrc, pipIndexes } from './credentials';
import { resolvePip } from './resolve';

export { withPackageSizes as withPipSizes } from '../lock/package-sizes';

export const pipInputKey = (platform: string) => `condense.pip_input.${platform}`;
/** Index hosts whose packages need credentials at build time (host names only, never secrets). */
export const PIP_CREDENTIAL_HOSTS_KEY = 'condense.pip_credential_hosts';

export interface PipLockInput {
  platform: string;
  /** The raw `pip:` lines (part of the input hash) and their parse. */
  lines: string[];
  section: PipSection;
  /** environment.yml's `pip-repositories:` as written (more indexes, part of the input key). */
  repositories?: string[];
  recipe: Recipe;
  /** This platform's solved conda packages. */
  condaPackages: LockedPackage[];
  previous?: CondaLock;
  update: Set<string>;
  updateAll: boolean;
  engine?: Engine;
  /** Docker network mode for the resolver containers; default: the recipe's `network`. */
  network?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

export interface PipLockOutput {
  packages: LockedPackage[];
  metadata: Record<string, string>;
  /** True when the previous pip lock was kept without running pip (nothing it depends on changed). */
  reused: boolean;
}

/**
 * Index URLs of the section, then environment.yml's `pip-repositories:` (conda-lock's key for more
 * indexes), then condense.yml's `pip.extraIndexUrls`, as written (with `${VAR}`s), each once.
 */
export function sectionWithRecipe(
  section: PipSection,
  recipe: Recipe,
  repositories: string[] = [],
): PipSection {
  const primary = section.indexUrl;
  const extra = [...section.extraIndexUrls, ...repositories, ...recipe.pip.extraIndexUrls];
  return {
    ...section,
    extraIndexUrls: extra.filter((url, i) => url !== primary && extra.indexOf(url) === i),
  };
}

async function sizesOf(packages: LockedPackage[], indexes: PipIndexes, signal?: AbortSignal) {
  const netrc = parseNetrc(indexes.netrc);
  const sizes = new Map<string, number>();
  // One deadline for all the HEAD requests: one abort listener on the job's signal, not one each.
  const wait = deadline(10_000, signal);
  try {
    await Promise.all(
      packages.map(async (p) => {
        const entry = netrc.find((e) => e.machine === new URL(p.url).hostname);
        const headers: Record<string, string> = entry
          ? {
              Authorization: `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString('base64')}`,
            }
          : {};
        try {
          const response = await fetch(p.url, { method: 'HEAD', headers, signal: wait.signal });
          const length = Number(response.headers.get('content-length'));
          if (response.ok && Number.isFinite(length) && length > 0) sizes.set(p.name, length);
        } catch {
          // A size is a nicety: the lock stands without it.
        }
      }),
    );
  } finally {
    wait.dispose();
  }
  return sizes;
}

/**
 * Locks one platform's pip section against its solved conda packages. When neither the pip lines,
 * the indexes, the sdist policy, the builder image nor the conda packages changed and nothing is
 * to be updated, the previous pip packages are kept as they are.
 */
export async function lockPipPackages(input: PipLockInput): Promise<PipLockOutput> {
  const { platform, recipe } = input;
  if (platform !== recipe.platform)
    throw new CondenseError(
      'INVALID_INPUT',
      `pip packages are resolved in the builder image for ${recipe.platform}, the recipe's platform; ${platform} cannot be locked with a pip: section by the built-in engine (lock only ${recipe.platform}, or use --engine conda-lock)`,
    );
  const section = sectionWithRecipe(input.section, recipe, input.repositories);
  const condaLock = writeExplicitLockfile(input.condaPackages, {
    platform,
    inputHash: '',
    generator: 'Condense',
  });
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        pip: input.lines,
        extra: recipe.pip.extraIndexUrls,
        // Only when present, so locks made before pip-repositories were read keep their key.
        ...(input.repositories?.length ? { repositories: input.repositories } : {}),
        sdist: recipe.pip.sdist,
        builder: recipe.builderImage,
        prefix: recipe.prefix,
        conda: input.condaPackages.map((p) => p.url).sort(),
      }),
    )
    .digest('hex');
  const previousPip = (input.previous?.packages ?? []).filter(
    (p) => p.platform === platform && p.manager === 'pip',
  );
  const updating = input.updateAll || previousPip.some((p) => input.update.has(p.name));
  const carried = (name: string) => input.previous?.customMetadata?.[name];
  if (!updating && previousPip.length > 0 && carried(pipInputKey(platform)) === key) {
    const sizes = carried(pipSizesKey(platform));
    const hosts = carried(PIP_CREDENTIAL_HOSTS_KEY);
    return {
      packages: previousPip,
      metadata: {
        [pipInputKey(platform)]: key,
        ...(sizes ? { [pipSizesKey(platform)]: sizes } : {}),
        ...(hosts ? { [PIP_CREDENTIAL_HOSTS_KEY]: hosts } : {}),
      },
      reused: true,
    };
  }
  const indexes = await pipIndexes(section, input.env ?? process.env);
  const constraints = input.updateAll
    ? []
    : previousPip.filter((p) => !input.update.has(p.name)).map((p) => `${p.name}==${p.version}`);
  const { packages } = await resolvePip({
    engine: input.engine ?? connectEngine(),
    builderImage: recipe.builderImage,
    prefix: recipe.prefix,
    condaLock,
    platform,
    requirements: section.requirements,
    indexes,
    constraints,
    sdist: recipe.pip.sdist,
    // The recipe's network, as its builds use: `default` is the engine's default (a bridge).
    network: input.network ?? recipe.network,
    signal: input.signal,
    progress: input.progress,
  });
  const sizes = await sizesOf(packages, indexes, input.signal);
  const withSizes = packages.map((p) =>
    sizes.has(p.name) ? { ...p, size: sizes.get(p.name)! } : p,
  );
  const authenticated = [indexes.primary, ...indexes.extra].filter((i) => i.authenticated);
  const hosts = [
    ...new Set(
      withSizes
        .map((p) => new URL(p.url).host)
        .filter((host) =>
          authenticated.some((i) => new URL(i.url).hostname === host.split(':')[0]),
        ),
    ),
  ].sort();
  return {
    packages: withSizes,
    metadata: {
      [pipInputKey(platform)]: key,
      ...(sizes.size
        ? { [pipSizesKey(platform)]: [...sizes].map(([n, s]) => `${n}=${s}`).join(';') }
        : {}),
      ...(hosts.length ? { [PIP_CREDENTIAL_HOSTS_KEY]: hosts.join(',') } : {}),
    },
    reused: false,
  };
}
