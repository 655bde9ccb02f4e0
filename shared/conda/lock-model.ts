/** One package of a lock, for one target platform. Plain JSON (no BigInt) so it crosses every door. */
export interface LockedPackage {
  name: string;
  version: string;
  build: string;
  buildNumber: number;
  /** The platform the lock targets (`linux-64`), also for noarch packages. */
  platform: string;
  /** The channel subdir the file comes from (`linux-64` or `noarch`). */
  subdir: string;
  /** Full download URL, without credentials or tokens. */
  url: string;
  md5: string;
  sha256?: string;
  /** Repodata `depends` strings (`libgcc-ng >=12`); empty when imported from an explicit file. */
  depends: string[];
  size?: number;
  manager: 'conda' | 'pip';
  /** conda-lock's category; Condense writes `main`. */
  category: string;
  optional: boolean;
}

/** A whole lock across platforms: what conda-lock.yml holds. */
export interface CondaLock {
  /** Channel URLs (credentials stripped), in priority order. */
  channels: string[];
  platforms: string[];
  /** Input hash per platform (`content_hash` in conda-lock.yml, `input_hash` in explicit files). */
  inputHashes: Record<string, string>;
  /** Input files, relative to the project (`environment.yml`). */
  sources: string[];
  packages: LockedPackage[];
  /**
   * conda-lock's free-form `custom_metadata` (string values). Condense records the virtual packages
   * of each platform there (`condense.virtual_packages.<platform>`), so staleness is judged with the
   * same ones (a lock made with `__cuda` is not stale for lacking it).
   */
  customMetadata?: Record<string, string>;
}

/** Splits `name-version-build.conda` / `.tar.bz2` from the right, as conda does. */
export function parsePackageFilename(
  filename: string,
): { name: string; version: string; build: string } | undefined {
  const stem = filename.replace(/\.(conda|tar\.bz2)$/, '');
  if (stem === filename) return undefined;
  const buildDash = stem.lastIndexOf('-');
  const versionDash = stem.lastIndexOf('-', buildDash - 1);
  if (buildDash <= 0 || versionDash <= 0) return undefined;
  return {
    name: stem.slice(0, versionDash),
    version: stem.slice(versionDash + 1, buildDash),
    build: stem.slice(buildDash + 1),
  };
}
