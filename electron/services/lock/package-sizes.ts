import type { CondaLock } from '../../../shared/conda/lock-model';

// conda-lock.yml has no size field: Condense keeps download sizes in its custom_metadata. A module of
// its own, free of the pip resolver's imports (dockerode), so reading and writing a lock loads neither.

export const pipSizesKey = (platform: string) => `condense.pip_sizes.${platform}`;
/** Download sizes of a platform's conda packages (`name=bytes;...`), from the channel's repodata. */
export const condaSizesKey = (platform: string) => `condense.conda_sizes.${platform}`;

/** `name=bytes;...` as the sizes keys hold them. */
export function formatSizes(packages: { name: string; size?: number }[]): string {
  return packages
    .filter((p) => p.size !== undefined && Number.isFinite(p.size))
    .map((p) => `${p.name}=${p.size}`)
    .join(';');
}

/**
 * Fills packages' download sizes from custom_metadata (conda-lock.yml has no size field): pip
 * packages from `condense.pip_sizes.<platform>`, conda packages from `condense.conda_sizes.<platform>`.
 */
export function withPackageSizes(lock: CondaLock): CondaLock {
  const sizes = new Map<string, number>();
  for (const platform of lock.platforms) {
    for (const [manager, key] of [
      ['pip', pipSizesKey(platform)],
      ['conda', condaSizesKey(platform)],
    ] as const) {
      for (const item of (lock.customMetadata?.[key] ?? '').split(';').filter(Boolean)) {
        const [name, size] = item.split('=');
        sizes.set(`${manager}/${platform}/${name}`, Number(size));
      }
    }
  }
  if (sizes.size === 0) return lock;
  return {
    ...lock,
    packages: lock.packages.map((p) => {
      if (p.size !== undefined) return p;
      const size = sizes.get(`${p.manager}/${p.platform}/${p.name}`);
      return size !== undefined && Number.isFinite(size) ? { ...p, size } : p;
    }),
  };
}
