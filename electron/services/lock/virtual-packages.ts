import { CondenseError } from '../../../shared/api/errors';
import type { VirtualPackage } from '../../../shared/conda/input-hash';
import { LOCK_PLATFORMS } from '../../../shared/conda/platforms';

const ARCH: Record<string, string> = {
  'linux-64': 'x86_64',
  'linux-aarch64': 'aarch64',
  'linux-ppc64le': 'ppc64le',
  'osx-64': 'x86_64',
  'osx-arm64': 'arm64',
  'win-64': 'x86_64',
};

/** Platforms Condense locks for (the ones conda-forge builds). */
export const SUPPORTED_PLATFORMS: readonly string[] = LOCK_PLATFORMS;

/** conda-lock's default CUDA version when CUDA is asked for without a version. */
export const DEFAULT_CUDA = '11.4';

/**
 * Virtual packages the solver assumes, with conda-lock's defaults (`__glibc 2.28`, `__linux 5.10`,
 * `__unix`, `__archspec 1 <arch>`); `__cuda` only when `cuda` is given. `overrides` replace by name;
 * an override with an empty version removes that package.
 */
export function virtualPackagesFor(
  platform: string,
  options: { cuda?: string; overrides?: VirtualPackage[] } = {},
): VirtualPackage[] {
  const arch = ARCH[platform];
  if (!arch) {
    throw new CondenseError(
      'INVALID_INPUT',
      `unknown platform "${platform}": use one of ${SUPPORTED_PLATFORMS.join(', ')}`,
    );
  }
  const list: VirtualPackage[] = [];
  if (platform.startsWith('linux-')) {
    list.push(
      { name: '__unix', version: '0', build: '0' },
      { name: '__linux', version: '5.10', build: '0' },
      { name: '__glibc', version: '2.28', build: '0' },
    );
  } else if (platform.startsWith('osx-')) {
    list.push(
      { name: '__unix', version: '0', build: '0' },
      { name: '__osx', version: platform === 'osx-arm64' ? '11.0' : '10.15', build: '0' },
    );
  } else list.push({ name: '__win', version: '0', build: '0' });
  list.push({ name: '__archspec', version: '1', build: arch });
  if (options.cuda !== undefined)
    list.push({ name: '__cuda', version: options.cuda || DEFAULT_CUDA, build: '0' });
  for (const override of options.overrides ?? []) {
    if (!override.name.startsWith('__')) {
      throw new CondenseError(
        'INVALID_INPUT',
        `virtual package names start with "__"; got "${override.name}"`,
      );
    }
    const index = list.findIndex((v) => v.name === override.name);
    if (index >= 0) list.splice(index, 1);
    if (override.version !== '') list.push({ ...override, build: override.build || '0' });
  }
  return list;
}
