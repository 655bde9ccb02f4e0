import type { EnvironmentSpec } from '../environment/environment-file';

/** A virtual package the solver assumes on the target (`__glibc 2.28`). */
export interface VirtualPackage {
  name: string;
  version: string;
  build: string;
}

/**
 * The canonical text that `input_hash` is the sha256 of: channels, sorted specs (conda and pip), the
 * platform and its virtual packages. Keys are written in a fixed order so the hash is stable. This is
 * Condense's own hash: conda-lock's (pydantic JSON) differs, so a lock imported from conda-lock shows
 * as "written by another tool" rather than stale.
 */
export function inputHashText(
  spec: Pick<EnvironmentSpec, 'channels' | 'dependencies' | 'pip'>,
  platform: string,
  virtualPackages: VirtualPackage[],
): string {
  return JSON.stringify({
    channels: spec.channels,
    specs: spec.dependencies.map((d) => d.raw).sort(),
    pip: [...spec.pip].sort(),
    platform,
    virtual: virtualPackages.map((v) => `${v.name}=${v.version}=${v.build}`).sort(),
  });
}

/** `__glibc=2.28=0;__unix=0=0` form for lockfile metadata. */
export function formatVirtualPackages(list: VirtualPackage[]): string {
  return list.map((v) => `${v.name}=${v.version}=${v.build}`).join(';');
}

export function parseVirtualPackages(text: string): VirtualPackage[] {
  return text
    .split(';')
    .filter(Boolean)
    .map((item) => {
      const [name = '', version = '', build = '0'] = item.split('=');
      return { name, version, build };
    });
}

export const virtualPackagesKey = (platform: string) => `condense.virtual_packages.${platform}`;
