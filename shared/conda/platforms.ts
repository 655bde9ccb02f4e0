/**
 * Platforms Condense locks for (the ones conda-forge builds and conda-lock knows selectors for).
 * Every platform name that reaches a file name is checked against this list first.
 */
export const LOCK_PLATFORMS = [
  'linux-64',
  'linux-aarch64',
  'linux-ppc64le',
  'osx-64',
  'osx-arm64',
  'win-64',
] as const;

export type LockPlatform = (typeof LOCK_PLATFORMS)[number];

/** Every channel subdir conda knows (conda's `KNOWN_SUBDIRS`), for `channel/subdir::name`. */
export const KNOWN_SUBDIRS: readonly string[] = [
  'noarch',
  'emscripten-wasm32',
  'wasi-wasm32',
  'freebsd-64',
  'linux-32',
  'linux-64',
  'linux-aarch64',
  'linux-armv6l',
  'linux-armv7l',
  'linux-ppc64',
  'linux-ppc64le',
  'linux-riscv64',
  'linux-s390x',
  'osx-64',
  'osx-arm64',
  'win-32',
  'win-64',
  'win-arm64',
  'zos-z',
];

export function isLockPlatform(value: unknown): value is LockPlatform {
  return typeof value === 'string' && (LOCK_PLATFORMS as readonly string[]).includes(value);
}
