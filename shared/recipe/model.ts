import type { NetworkMode, ServiceCheckSpec } from '../checks/model';

/**
 * The image recipe kept in a project's `condense.yml`: everything the Dockerfile generator needs.
 * Plain data, validated by `validateRecipe` before use.
 */

/** Conda platforms the generator knows how to name (the linker rule differs per architecture). */
export const RECIPE_PLATFORMS = ['linux-64', 'linux-aarch64', 'linux-ppc64le'] as const;
export type RecipePlatform = (typeof RECIPE_PLATFORMS)[number];

/**
 * What the container runs, always in exec form (distroless images have no shell).
 * - `gunicorn`: the seed's gunicorn with uvicorn workers serving `app` (`module:attribute`).
 * - `module`: `python -m <module> [args]`.
 * - `script`: `python <script> [args]`, `script` being an absolute path inside the image.
 * - `command`: any argument list; the first item is the program.
 * - `none`: no CMD (the image is a base for others, or the user passes a command at run time).
 */
export type Entrypoint =
  | { preset: 'gunicorn'; app: string; bind?: string; workers?: number; args?: string[] }
  | { preset: 'module'; module: string; args?: string[] }
  | { preset: 'script'; script: string; args?: string[] }
  | { preset: 'command'; command: string[] }
  | { preset: 'none' };

export type EntrypointPreset = Entrypoint['preset'];

/** The user's own Python package, installed with `pip install --no-deps` into the environment. */
export interface PackageSpec {
  /** Folder of the package relative to the project (`.` for the project itself). */
  path: string;
  /**
   * Pass `--no-build-isolation` to pip. Build isolation makes pip download setuptools/wheel into a
   * temporary environment, which fails offline; without isolation the build backend must already be in
   * the locked environment (add `setuptools` or your backend to environment.yml).
   */
  noBuildIsolation: boolean;
}

/** Which prune rules apply: a preset, plus or minus single rules, plus custom globs. */
export interface PruneSettings {
  preset: PrunePresetId;
  /** Rule ids switched on in addition to the preset. */
  add: string[];
  /** Rule ids switched off although the preset has them. */
  remove: string[];
  /** Custom path globs relative to the prefix (`lib/python*\/site-packages/foo/data`); removed with `rm -rf`. */
  custom: string[];
  /** Custom globs written with `force: true`: the top-level-folder and share guards are waived. */
  force?: string[];
  /**
   * Why a custom glob is there, by glob (`custom: [{glob: bin/sqlite3, reason: ...}]` in condense.yml);
   * a traced variant's globs carry the trace's reasons. Globs without one are left out.
   */
  reasons?: Record<string, string>;
  /**
   * Python bytecode caches: `keep` what the install wrote (the `pycache` rule off), `drop` them (the
   * rule on: smaller, slower start-up), `compile` every module after pruning (`compileall` with
   * unchecked-hash pycs: larger, fastest start-up). Absent: as the rules say.
   */
  bytecode?: BytecodeMode;
}

export const BYTECODE_MODES = ['keep', 'drop', 'compile'] as const;
export type BytecodeMode = (typeof BYTECODE_MODES)[number];

/** A file or folder of the project copied into the runtime image (`files:` in condense.yml). */
export interface ImageFile {
  /** Path inside the project folder (`model.pkl`, `config`). */
  from: string;
  /** Absolute path in the runtime image (`/app/model.pkl`, `/app/config`). */
  to: string;
}

/** How the environment's `pip:` section is locked and installed. */
export interface PipSettings {
  /**
   * A package published only as source: `refuse` (the lock fails naming it) or `build` (pip builds it
   * in the builder with --no-build-isolation, so setuptools/wheel must be in the conda environment).
   */
  sdist: 'refuse' | 'build';
  /** More indexes besides the pip section's, e.g. `https://${USER}:${TOKEN}@pypi.example/simple`. */
  extraIndexUrls: string[];
}

export type PrunePresetId = 'none' | 'safe' | 'expert';

/** One image flavour built from the same environment install, e.g. to compare prune settings. */
export interface Variant {
  /** Lowercase letters, digits and dashes; names the stages `prune-<id>` and `runtime-<id>`. */
  id: string;
  prune: PruneSettings;
}

export interface Recipe {
  /** Builder stage image with conda and mamba. */
  builderImage: string;
  /** Runtime stage image (distroless: no shell, no package manager). */
  runtimeImage: string;
  platform: RecipePlatform;
  /** Where the environment lives in both stages; must be the same path, conda prefixes are not relocatable. */
  prefix: string;
  /** Explicit lockfile (file name in the project folder) given to `mamba create --file`. */
  lockfile: string;
  package: PackageSpec | null;
  entrypoint: Entrypoint;
  workdir: string | null;
  /** Exposed TCP port, or null. */
  port: number | null;
  env: Record<string, string>;
  /** `USER` of the runtime stage (`nonroot`, `65532`, `65532:65532`), or null for the image default. */
  user: string | null;
  /** OCI labels (`org.opencontainers.image.title`...). */
  labels: Record<string, string>;
  /** With BuildKit, keep `/opt/conda/pkgs` in a cache mount; without it, `conda clean -afy`. */
  buildkitCache: boolean;
  prune: PruneSettings;
  /** Extra variants compared against each other; empty for a single image. */
  variants: Variant[];
  pip: PipSettings;
  /** Project files copied into the runtime stage, owned by `user`. */
  files: ImageFile[];
  /** The request that proves the service answers, checked when `port` is set. */
  service: ServiceCheckSpec | null;
  /** Network of the build's RUN steps and of the service check (see `NetworkMode`). */
  network: NetworkMode;
  /** What tracing runs besides the checks, and what it must keep (`trace:`); absent when unset. */
  trace?: TraceSettings;
}

/** An extra request to the service while it runs under the tracer: the service check's, no timeout. */
export type TraceRequest = Omit<ServiceCheckSpec, 'timeoutSeconds'>;

/** `trace:` in condense.yml. */
export interface TraceSettings {
  /** Prefix-relative sh globs the suggested variant keeps whatever the trace saw (user pins). */
  keep: string[];
  /** Extra commands run under the tracer, each an argument list (no shell). */
  commands: string[][];
  /** Extra requests sent to the service under the tracer. */
  requests: TraceRequest[];
}

// Pinned so the same recipe builds the same image. miniforge3 publishes versioned tags; distroless
// publishes none, so its tag is pinned by digest (base-debian12:nonroot as of 2025-04-28).
export const DEFAULT_BUILDER_IMAGE = 'condaforge/miniforge3:24.11.3-0';
export const DEFAULT_RUNTIME_IMAGE =
  'gcr.io/distroless/base-debian12:nonroot@sha256:fa5f94fa433728f8df3f63363ffc8dec4adcfb57e4d8c18b44bceccfea095ebc';

export function defaultPrune(preset: PrunePresetId = 'safe'): PruneSettings {
  return { preset, add: [], remove: [], custom: [] };
}

/** A new project's recipe: the seed article's shape with safe pruning and a non-root user. */
export function defaultRecipe(): Recipe {
  return {
    builderImage: DEFAULT_BUILDER_IMAGE,
    runtimeImage: DEFAULT_RUNTIME_IMAGE,
    platform: 'linux-64',
    prefix: '/env',
    lockfile: 'conda-linux-64.lock',
    package: null,
    entrypoint: { preset: 'none' },
    workdir: null,
    port: null,
    env: {},
    user: '65532:65532',
    labels: {},
    buildkitCache: true,
    prune: defaultPrune('safe'),
    variants: [],
    pip: defaultPipSettings(),
    files: [],
    service: null,
    network: 'default',
  };
}

export function defaultPipSettings(): PipSettings {
  return { sdist: 'refuse', extraIndexUrls: [] };
}
