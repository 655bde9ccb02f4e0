import { z } from 'zod';

import type {
  CommandCheckResult,
  NetworkMode,
  ServiceCheckSpec,
  ServiceResult,
  SmokeResult,
  SmokeSpec,
} from '../checks/model';
import { NETWORK_MODES, SERVICE_METHODS } from '../checks/model';
import type { ErrorInfo } from './errors';
import {
  buildId,
  list,
  noFields,
  projectDir,
  repository,
  shortText,
  variantId,
  wholeNumber,
} from './fields';
import type { JobStarted } from './jobs';
import type { RequestSchemas } from './schema';

export type {
  CommandCheckResult,
  NetworkMode,
  ServiceCheckSpec,
  ServiceResult,
  SmokeCheck,
  SmokeResult,
  SmokeSpec,
} from '../checks/model';

/** The Docker engine a build runs on, as shown to the user. */
export interface EngineInfo {
  /** Where it was reached: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  host: string;
  /** Docker context name when the engine came from a context, `default` otherwise. */
  context: string;
  /** Engine (server) version, e.g. `20.10.24`. */
  version: string;
  /** Engine API version, e.g. `1.41`. */
  apiVersion: string;
  os: string;
  /** Go-style architecture name, e.g. `amd64`, `arm64`. */
  architecture: string;
  /** Whether builds can use BuildKit (`version: '2'`); the classic builder otherwise. */
  buildkit: boolean;
  cpus: number;
  memoryBytes: number;
}

/** One BuildKit vertex (a Dockerfile instruction or an internal step such as loading the context). */
export interface BuildStep {
  /** The vertex digest; stable for the same instruction and inputs. */
  id: string;
  name: string;
  /** Which variant's build produced it (several variants share steps through the cache). */
  variant?: string;
  /** ISO times. */
  started?: string;
  completed?: string;
  cached: boolean;
  error?: string;
}

/** One line of a step's output. */
export interface BuildLogLine {
  /** The step (vertex digest) the line belongs to; empty for builder-level lines. */
  step: string;
  variant?: string;
  /** ISO time. */
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** One image layer with the instruction that made it (from the image history). */
export interface LayerInfo {
  createdBy: string;
  sizeBytes: number;
  created: string;
}

/** What a variant is built from: a target stage of the Dockerfile and the prune rules it applies. */
export interface VariantSpec {
  /** Short id, e.g. `default`, `aggressive`; letters, digits, `-`, `_`, `.`. */
  id: string;
  /** The Dockerfile stage to build; the last stage when absent. */
  target?: string;
  /** The prune rule ids this variant applies: used to tell which rule breaks a smoke test. */
  rules?: string[];
  /** The variant's bytecode setting (`keep`, `drop`, `compile`), shown beside its start-up time. */
  bytecode?: string;
}

/** The outcome of one variant of a build. */
export interface VariantResult {
  id: string;
  target?: string;
  rules: string[];
  state: 'succeeded' | 'failed' | 'cancelled';
  imageId?: string;
  tags: string[];
  sizeBytes?: number;
  layers: LayerInfo[];
  durationMs: number;
  /** Steps answered from the cache, and all steps with a name from the Dockerfile. */
  cachedSteps: number;
  totalSteps: number;
  smoke?: SmokeResult;
  /** Why no smoke test ran (e.g. no Python package in the lock); absent when one ran or none was asked. */
  smokeSkipped?: string;
  /** The CMD program check (exists, executable, interpreter present), run before tagging. */
  command?: CommandCheckResult;
  /** The service check (recipe with a `port`), run before tagging. */
  service?: ServiceResult;
  /** Why no service check ran although the recipe has a port (e.g. `network: none`). */
  serviceSkipped?: string;
  /** The variant's `bytecode` setting (`keep`, `drop`, `compile`), when it has one. */
  bytecode?: string;
  error?: ErrorInfo;
}

/** One build as kept in `<project>/.condense/builds/<id>/build.json`. */
export interface BuildRecord {
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  state: 'succeeded' | 'failed' | 'cancelled';
  builder: 'buildkit' | 'classic';
  engine: Pick<EngineInfo, 'host' | 'context' | 'version' | 'architecture'>;
  /** sha256 of the Dockerfile text, so two builds of the same recipe can be told apart. */
  dockerfileSha256: string;
  variants: VariantResult[];
  error?: ErrorInfo;
  /**
   * The build's `<variant>-<buildId>` image tags were removed from the engine (retention or
   * `condense images --prune`); sizes and layers stay readable here, the images are gone.
   */
  imagesRemoved?: boolean;
}

/** A build in the history list (without layers). */
export type BuildSummary = Pick<
  BuildRecord,
  'id' | 'startedAt' | 'durationMs' | 'state' | 'builder' | 'imagesRemoved'
> & {
  variants: (Pick<VariantResult, 'id' | 'state' | 'sizeBytes' | 'durationMs' | 'imageId'> & {
    smokePassed?: boolean;
  })[];
};

/** One row of a comparison: a variant of some build. */
export interface ComparisonRow {
  buildId: string;
  variantId: string;
  state: VariantResult['state'];
  sizeBytes?: number;
  layerCount: number;
  durationMs: number;
  cachedSteps: number;
  totalSteps: number;
  smoke: 'passed' | 'failed' | 'not run';
  /** Size difference to the first row (the baseline). */
  sizeDeltaBytes?: number;
  /** The build's image tags were removed from the engine; the size is from the history. */
  imageRemoved?: boolean;
}

/** A prune rule blamed for a failing smoke test. */
export interface BreakingRule {
  rule: string;
  /** `breaks`: a variant differing only by this rule passes; `suspect`: it is among several differences. */
  verdict: 'breaks' | 'suspect';
  failingVariant: string;
  passingVariant: string;
  output: string;
}

export interface BuildComparison {
  rows: ComparisonRow[];
  /** Layers matched by instruction across the rows: size per row (undefined when absent). */
  layers: { createdBy: string; sizes: (number | undefined)[] }[];
  breakingRules: BreakingRule[];
}

/**
 * What to build: a project and which of its condense.yml variants. The service generates the
 * Dockerfile from condense.yml itself (a caller never sends Dockerfile text).
 */
export interface BuildStartRequest {
  /** Absolute project folder. */
  projectDir: string;
  /** Ids of condense.yml's variants to build (`condense build --variant V`); all of them when absent. */
  variants?: string[];
  /** Image repository for tags `<repo>:<variant>-<buildId>`, default `condense/<project folder>`. */
  repository?: string;
  buildArgs?: Record<string, string>;
  smoke?: SmokeSpec;
  /** Force the classic builder even when the engine has BuildKit. */
  classic?: boolean;
  /** Build without the cache. */
  noCache?: boolean;
  /**
   * Network of the build's RUN steps and the service check; default the recipe's `network`, else the
   * engine's default network. Smoke tests always run without a network.
   */
  network?: NetworkMode;
  /** The service check; default the recipe's `service:` when it has a `port`. */
  service?: ServiceCheckSpec & { port: number };
  /**
   * Image retention: after a successful build, the `<variant>-<buildId>` tags of all but the newest
   * `keepBuilds` builds of the project are removed (default 5; 0 keeps everything).
   */
  keepBuilds?: number;
  /**
   * How many variants build at once after the first (which builds the shared stages alone); 1 (the
   * default) builds them one after another.
   */
  concurrency?: number;
}

/** One tag of the project's repository on the engine (`build:images`, `condense images`). */
export interface ProjectImage {
  /** `<repo>:<variant>` (the latest) or `<repo>:<variant>-<buildId>`. */
  tag: string;
  /** The build a `<variant>-<buildId>` tag belongs to; absent for the latest tags. */
  buildId?: string;
  variant: string;
  imageId: string;
  sizeBytes: number;
  /** ISO time the image was created. */
  created: string;
}

/** What a prune did: tags removed, tags left (with why), builds now marked `imagesRemoved`. */
export interface ImagePruneResult {
  removed: string[];
  kept: { tag: string; reason: string }[];
  buildsMarked: string[];
}

/** Build events sent on the job stream, by `kind`. */
export interface BuildEvents {
  step: BuildStep;
  log: BuildLogLine;
  variant: VariantResult;
  smoke: { variant: string; result: SmokeResult };
  service: { variant: string; result: ServiceResult };
  progress: { message: string; fraction?: number };
}

export interface BuildMethods {
  /** The engine's version, architecture and BuildKit support; fails with ENGINE_UNAVAILABLE. */
  'build:engine': { request: Record<string, never>; response: EngineInfo };
  /** Starts a build job; the job's result is the BuildRecord. */
  'build:start': { request: BuildStartRequest; response: JobStarted };
  'build:list': { request: { projectDir: string }; response: BuildSummary[] };
  'build:get': { request: { projectDir: string; buildId: string }; response: BuildRecord };
  /** The kept log of a build (one JSON line per log line in the file). */
  'build:log': {
    request: { projectDir: string; buildId: string; tail?: number };
    response: BuildLogLine[];
  };
  /** The project's image tags on the engine, newest first. */
  'build:images': {
    request: { projectDir: string; repository?: string };
    response: ProjectImage[];
  };
  /** Removes the `<variant>-<buildId>` tags of all but the newest `keep` builds (default 5). */
  'build:pruneImages': {
    request: { projectDir: string; repository?: string; keep?: number };
    response: ImagePruneResult;
  };
  /** Compares the variants of one build, or of two builds (`other`). */
  'build:compare': {
    request: { projectDir: string; buildId: string; other?: string };
    response: BuildComparison;
  };
}

const buildProject = { projectDir };

export const smokeSpecSchema = z.strictObject({
  modules: list(shortText(256)).optional(),
  command: list(shortText(4096), 256).optional(),
  commandTimeoutSeconds: wholeNumber(1, 24 * 3600).optional(),
  python: shortText(4096).optional(),
});

/** A service check given in a request (`build:start`, `trace:start`), with the port it listens on. */
export const serviceRequestSchema = z.strictObject({
  port: wholeNumber(1, 65535),
  path: shortText(2048).regex(/^\//, 'must start with /'),
  method: z.enum(SERVICE_METHODS),
  body: z
    .string()
    .max(1024 * 1024)
    .nullable(),
  status: wholeNumber(100, 599),
  expect: shortText(65536).nullable(),
  timeoutSeconds: wholeNumber(1, 3600),
});

export const buildSchemas = {
  'build:engine': noFields,
  'build:start': z.strictObject({
    ...buildProject,
    variants: list(variantId, 32).optional(),
    repository: repository.optional(),
    buildArgs: z.record(shortText(256), shortText(65536)).optional(),
    smoke: smokeSpecSchema.optional(),
    classic: z.boolean().optional(),
    noCache: z.boolean().optional(),
    network: z.enum(NETWORK_MODES).optional(),
    service: serviceRequestSchema.optional(),
    keepBuilds: wholeNumber(0, 10_000).optional(),
    concurrency: wholeNumber(1, 8).optional(),
  }),
  'build:list': z.strictObject(buildProject),
  'build:get': z.strictObject({ ...buildProject, buildId }),
  'build:log': z.strictObject({
    ...buildProject,
    buildId,
    tail: wholeNumber(0, 10_000_000).optional(),
  }),
  'build:images': z.strictObject({ ...buildProject, repository: repository.optional() }),
  'build:pruneImages': z.strictObject({
    ...buildProject,
    repository: repository.optional(),
    keep: wholeNumber(0, 10_000).optional(),
  }),
  'build:compare': z.strictObject({ ...buildProject, buildId, other: buildId.optional() }),
} satisfies RequestSchemas<keyof BuildMethods>;
