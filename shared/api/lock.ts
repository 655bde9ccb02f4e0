import { z } from 'zod';

import type { VirtualPackage } from '../conda/input-hash';
import type { LockDiff } from '../conda/lock-diff';
import type { LockedPackage } from '../conda/lock-model';
import type { EffectiveEnvironment } from '../environment/effective-environment';
import type { EnvironmentEdit } from '../environment/environment-edit';
import type { EnvironmentSpec } from '../environment/environment-file';
import { absolutePath, list, projectDir, projectFile, shortText, wholeNumber } from './fields';
import type { JobStarted } from './jobs';
import type { RequestSchemas } from './schema';

export type {
  EffectiveEnvironment,
  EnvironmentEdit,
  EnvironmentSpec,
  LockDiff,
  LockedPackage,
  VirtualPackage,
};

/** How to lock a project. Plain JSON: it crosses IPC, WebSocket and the CLI. */
export interface LockOptions {
  /** Absolute project folder (holds environment.yml). */
  projectDir: string;
  /** Target platforms; default: environment.yml's `platforms:`, else `linux-64`. */
  platforms?: string[];
  /** `builtin` (rattler, default) or `conda-lock` (the external tool; also solves pip). */
  engine?: 'builtin' | 'conda-lock';
  /** Packages to update to the newest fitting version; everything else keeps its pin. */
  update?: string[];
  /** Ignore the previous lock entirely. */
  updateAll?: boolean;
  /** Ask the channels for their repodata now, however fresh the cached copy is. */
  refresh?: boolean;
  /** Hash fragment in explicit files: `md5` (default, every conda) or `sha256` (conda >= 24.9). */
  hash?: 'md5' | 'sha256';
  /** Adds `__cuda` with this version (`''` for conda-lock's default 11.4). */
  cuda?: string;
  /** Replace default virtual packages by name; an empty version removes one. */
  virtualPackages?: VirtualPackage[];
  /** conda-lock engine: give up after this long; default 30 minutes. */
  timeoutMs?: number;
}

/** What a finished lock job returns (the `done` event's data). */
export interface LockResult {
  engine: 'builtin' | 'conda-lock';
  /** Absolute paths written. */
  files: string[];
  platforms: { platform: string; packages: number }[];
  /** Counts against the previous lock, when there was one. */
  diff?: { added: number; removed: number; changed: number; unchanged: number };
  durationMs: number;
}

/** What `lock:import` wrote: the project's lockfiles and the packages of each platform. */
export interface LockImportResult {
  /** Absolute paths written. */
  files: string[];
  platforms: { platform: string; packages: number }[];
}

/** One platform's lock state. */
export interface PlatformLockStatus {
  platform: string;
  packages: number;
  /** Hash recorded in the lock. */
  lockedHash: string;
  /** Hash of environment.yml as it is now. */
  currentHash: string;
  /** environment.yml changed after this platform was locked, or the two lockfiles disagree. */
  stale: boolean;
  /** Set when `conda-<platform>.lock` and conda-lock.yml describe different packages: why. */
  mismatch?: string;
}

export interface LockStatus {
  /** There is a conda-lock.yml. */
  locked: boolean;
  /** Any platform is stale (or environment.yml lists a platform the lock lacks). */
  stale: boolean;
  platforms: PlatformLockStatus[];
  /** Platforms environment.yml asks for that the lock does not have. */
  missingPlatforms: string[];
}

/** A package as the search shows it: one row per name across the configured channels. */
export interface PackageSearchResult {
  name: string;
  /** From channeldata.json when the channel serves one. */
  summary?: string;
  /** Newest first. */
  versions: string[];
  /** Builds of the newest version. */
  builds: { build: string; subdir: string; channel: string }[];
  channels: string[];
}

/** What a package search found, and the channels it could not read (searched without them). */
export interface PackageSearchResponse {
  results: PackageSearchResult[];
  /** Channels that failed (unreachable, bad answer), with the reason in words. */
  unreachable: { channel: string; message: string }[];
}

/** `job` events of a lock job: `progress` ({message, fraction?}) then `done` (LockResult). */
export interface LockMethods {
  /** Starts a lock job; progress and the LockResult arrive as job events. */
  'lock:start': { request: LockOptions; response: JobStarted };
  /** Whether the project has a lock and whether environment.yml changed since. */
  'lock:status': { request: { projectDir: string }; response: LockStatus };
  /**
   * Differences between two lockfiles (conda-lock.yml or explicit), paths inside the project;
   * `before` defaults to nothing (all added), `after` to the project's conda-lock.yml.
   */
  'lock:diff': {
    request: { projectDir: string; before: string; after?: string };
    response: LockDiff;
  };
  /** Reads the project's conda-lock.yml. */
  'lock:read': {
    request: { projectDir: string };
    response: { packages: LockedPackage[]; platforms: string[]; channels: string[] };
  };
  /** Imports lockfiles written by conda-lock (explicit files or conda-lock.yml) as the project's lock. */
  'lock:import': {
    request: { projectDir: string; files: string[]; includeDev?: boolean };
    response: LockImportResult;
  };
  /** environment.yml as text and model. */
  'environment:read': {
    request: { projectDir: string };
    response: { text: string; spec: EnvironmentSpec; revision: string };
  };
  /**
   * Applies edits to environment.yml as it is on disk now, changing only their own lines; a hand
   * edit made meanwhile is kept. With `baseRevision` (from `environment:read`), a file changed since
   * is refused with CONFLICT. `changed` is false when the edits changed nothing (nothing written).
   */
  'environment:update': {
    request: { projectDir: string; edits: EnvironmentEdit[]; baseRevision?: string };
    response: { text: string; spec: EnvironmentSpec; revision: string; changed: boolean };
  };
  /** One platform's environment after selectors and `${VAR}` expansion (default linux-64). */
  'environment:effective': {
    request: { projectDir: string; platform?: string };
    response: EffectiveEnvironment;
  };
  /**
   * Searches package names across the project's channels (or the given ones). A channel that fails
   * is left out and named in `unreachable`; only when every channel fails does the call fail.
   */
  'channels:search': {
    request: {
      query: string;
      projectDir?: string;
      channels?: string[];
      platform?: string;
      limit?: number;
    };
    response: PackageSearchResponse;
  };
}

const name = shortText(256);
const lockProject = { projectDir };

export const lockSchemas = {
  'lock:start': z.strictObject({
    ...lockProject,
    platforms: list(shortText(64), 16).optional(),
    engine: z.enum(['builtin', 'conda-lock']).optional(),
    update: list(name).optional(),
    updateAll: z.boolean().optional(),
    refresh: z.boolean().optional(),
    hash: z.enum(['md5', 'sha256']).optional(),
    cuda: shortText(64).optional(),
    virtualPackages: list(
      z.strictObject({ name, version: shortText(64), build: shortText(256) }),
      64,
    ).optional(),
    timeoutMs: wholeNumber(1, 7 * 24 * 3600_000).optional(),
  }),
  'lock:status': z.strictObject(lockProject),
  'lock:diff': z.strictObject({
    ...lockProject,
    before: projectFile,
    after: projectFile.optional(),
  }),
  'lock:read': z.strictObject(lockProject),
  'lock:import': z.strictObject({
    ...lockProject,
    files: list(absolutePath, 64).min(1, 'is empty'),
    includeDev: z.boolean().optional(),
  }),
  'environment:read': z.strictObject(lockProject),
  'environment:update': z.strictObject({
    ...lockProject,
    baseRevision: shortText(128).optional(),
    edits: list(
      z.strictObject({
        setDependency: shortText(1024).optional(),
        removeDependency: name.optional(),
        setPipRequirement: shortText(4096).optional(),
        removePipRequirement: name.optional(),
        channels: list(shortText(2048), 20).optional(),
        platforms: list(shortText(64), 16).optional(),
        name: shortText(64).optional(),
      }),
      500,
    ),
  }),
  'environment:effective': z.strictObject({ ...lockProject, platform: shortText(64).optional() }),
  'channels:search': z.strictObject({
    query: shortText(256),
    projectDir: projectDir.optional(),
    channels: list(shortText(2048), 20).optional(),
    platform: shortText(64).optional(),
    limit: wholeNumber(1, 1000).optional(),
  }),
} satisfies RequestSchemas<keyof LockMethods>;
