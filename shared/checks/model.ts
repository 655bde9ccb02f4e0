/**
 * The checks run in a built image before its tags move: the smoke test (imports, the user's command),
 * the CMD program check and the service check. Plain data shared by the build service, the CLI and
 * the Results screen.
 */

/** One check run inside a built image. */
export interface SmokeCheck {
  /** `imports` (top-level modules of the locked packages) or `command` (the user's check). */
  kind: 'imports' | 'command';
  command: string[];
  passed: boolean;
  exitCode: number;
  output: string;
  durationMs: number;
  /** The check was stopped at its deadline (exit code -1). */
  timedOut?: boolean;
}

export interface SmokeResult {
  passed: boolean;
  checks: SmokeCheck[];
  /** The modules the `imports` check imported (given in the request or derived from the lock). */
  modules?: string[];
}

/** Smoke-test settings for a build. */
export interface SmokeSpec {
  /**
   * Top-level Python modules to import (see `topLevelModules`). Absent: derived from the locked
   * packages' files (`lockImportModules`) and the own package's sources; an empty list: no import check.
   */
  modules?: string[];
  /** The user's own check, run as an argument list in the image (no shell). */
  command?: string[];
  /** Deadline of the user's command, default `COMMAND_TIMEOUT_SECONDS`. */
  commandTimeoutSeconds?: number;
  /** The interpreter inside the image. */
  python?: string;
}

/** A check command must exit by then; a server belongs in the service check instead. */
export const COMMAND_TIMEOUT_SECONDS = 60;
/** The import check's deadline: big stacks (tensorflow, torch) take a while to import on a busy host. */
export const IMPORTS_TIMEOUT_SECONDS = 120;

/** What the image's CMD program check found (before any tag moves). */
export interface CommandCheckResult {
  passed: boolean;
  /** The program as the image runs it (`/env/bin/gunicorn`), resolved through PATH when relative. */
  program: string;
  /** The shebang interpreter, when the program is a script. */
  interpreter?: string;
  message: string;
}

/** HTTP methods the service check sends. */
export const SERVICE_METHODS = ['GET', 'POST'] as const;
export type ServiceMethod = (typeof SERVICE_METHODS)[number];

/** `service:` in condense.yml: the request that proves the image's service answers. */
export interface ServiceCheckSpec {
  /** Path and query, starting with `/` (default `/`). */
  path: string;
  method: ServiceMethod;
  /** JSON text sent as the body (`Content-Type: application/json`), or null for none. */
  body: string | null;
  /** The expected HTTP status (default 200). */
  status: number;
  /** A substring the answer's body must contain, or null. */
  expect: string | null;
  /** From container start to a good answer, at most this long (default 60). */
  timeoutSeconds: number;
}

export function defaultServiceCheck(): ServiceCheckSpec {
  return { path: '/', method: 'GET', body: null, status: 200, expect: null, timeoutSeconds: 60 };
}

/** What the service check measured for one variant (`condense build --json`: `service`). */
export interface ServiceResult {
  passed: boolean;
  /** From the container's start to the first good answer; absent when none came. */
  startupMs?: number;
  /** The highest memory use the engine reported while the container ran. */
  peakMemoryBytes?: number;
  /** The HTTP status of the last answer, when one came. */
  status?: number;
  /** One line: what was proven, or what went wrong and what to do. */
  message: string;
  /** The request sent: `GET http://127.0.0.1:8000/`. */
  request?: string;
  /** The container's last log lines, when it failed. */
  logs?: string;
}

/** Networks builds and checks use (`network:` in condense.yml). */
export const NETWORK_MODES = ['default', 'host', 'none'] as const;
/**
 * `default`: the engine's default network (a bridge), the service check publishing its port on
 * 127.0.0.1 only; `host`: the host's network (no publishing: the service binds the host's port);
 * `none`: no network at all (builds cannot download, the service check cannot run).
 */
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** Labels on every container a check starts, so a later run can remove leftovers of a crash. */
export const CHECK_LABEL = 'org.condense.check';
export const CHECK_OWNER_LABEL = 'org.condense.owner';
