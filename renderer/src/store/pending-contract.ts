import type { ApiClient, ApiMethods } from '../../../shared/api/contract';
import type { JobStarted } from '../../../shared/api/jobs';
import type { Recipe } from '../../../shared/recipe/model';
import type { SavingsEstimate } from '../../../shared/recipe/savings';

/*
 * Domain calls the UI needs whose contract files (shared/api/project.ts, lock.ts, recipe.ts, build.ts)
 * had not landed when the screens were written. Each is declared here with the shape the UI expects.
 * `Methods` lets a real declaration in ApiMethods win over the local one, so when a domain lands,
 * typecheck points at every place where the real shape differs.
 * TODO(contract): delete each entry once `ApiMethods` declares it.
 */

/** One package found by a search across the configured channels. */
export interface PackageMatch {
  name: string;
  summary?: string;
  channel: string;
  /** Newest first. */
  versions: string[];
  builds?: string[];
}

export interface EnvironmentDependency {
  name: string;
  /** Match spec after the name, e.g. `>=1.26` or `=2.1.3`; empty when unpinned. */
  spec: string;
}

export interface EnvironmentSpec {
  name: string;
  /** In priority order. */
  channels: string[];
  /** Without python, which has its own field. */
  dependencies: EnvironmentDependency[];
  python?: string;
}

export type EnvironmentEdit =
  | { op: 'add'; name: string; spec?: string }
  | { op: 'remove'; name: string }
  | { op: 'pin'; name: string; spec: string }
  | { op: 'python'; version: string }
  | { op: 'channels'; channels: string[] };

export interface LockedPackage {
  name: string;
  version: string;
  build: string;
  channel: string;
  /** Download size in bytes. */
  size: number;
}

export interface LockDiff {
  added: LockedPackage[];
  removed: LockedPackage[];
  changed: { name: string; from: string; to: string }[];
}

export interface LockState {
  packages: LockedPackage[];
  /** True when environment.yml changed since the lock was made. */
  stale: boolean;
  lockedAt?: string;
  /** Against the previous lock, when there was one. */
  diff?: LockDiff;
}

/** Export of one built variant into a folder. */
export interface ExportRequest {
  projectDir: string;
  buildId: string;
  variant: string;
  targetDir: string;
  include: { dockerfile: boolean; lockfiles: boolean; imageTar: boolean };
}

interface PendingMethods {
  // TODO(contract: shared/api/environment.ts)
  'env:get': { request: { projectDir: string }; response: EnvironmentSpec };
  'env:update': {
    request: { projectDir: string; edit: EnvironmentEdit };
    response: EnvironmentSpec;
  };
  'env:search': { request: { projectDir: string; query: string }; response: PackageMatch[] };
  // TODO(contract: shared/api/lock.ts)
  'lock:start': { request: { projectDir: string }; response: JobStarted };
  'lock:get': { request: { projectDir: string }; response: LockState };
  // TODO(contract: shared/api/recipe.ts): condense.yml as the shared Recipe model.
  'recipe:get': { request: { projectDir: string }; response: Recipe };
  'recipe:update': { request: { projectDir: string; recipe: Recipe }; response: Recipe };
  /**
   * Every catalog rule (PRUNE_RULES resolved for the recipe's platform) matched against the locked
   * environment's file lists (`estimateSavings`); NOT_FOUND before the first lock.
   */
  'recipe:savings': { request: { projectDir: string }; response: SavingsEstimate };
  // TODO(contract: shared/api/export.ts)
  'export:run': { request: ExportRequest; response: { files: string[] } };
}

/** Real contract methods, plus the pending ones not yet declared there. */
export type Methods = Omit<PendingMethods, keyof ApiMethods> & ApiMethods;
export type Method = keyof Methods;

/** Calls a real or pending method through the injected client. */
export function callApi<M extends Method>(
  api: ApiClient,
  method: M,
  request: Methods[M]['request'],
): Promise<Methods[M]['response']> {
  // The cast is confined here: pending methods are not in ApiMethods yet.
  const call = api.call.bind(api) as (m: string, r: unknown) => Promise<unknown>;
  return call(method, request) as Promise<Methods[M]['response']>;
}
