import Docker from 'dockerode';

import type { EngineInfo } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { envSeconds, withDeadline } from '../wait/deadline';
import type { EngineTarget, TargetInputs } from './engine-target';
import { resolveEngineTarget } from './engine-target';

/** A dockerode client and where it points. */
export interface Engine {
  docker: Docker;
  target: EngineTarget;
}

/** Creates the client (no traffic yet); `engineInfo` checks that the engine answers. */
export function connectEngine(inputs: TargetInputs | EngineTarget = {}): Engine {
  const target = 'options' in inputs ? inputs : resolveEngineTarget(inputs);
  return { docker: new Docker(target.options), target };
}

interface SystemError {
  code?: string;
  message?: string;
  statusCode?: number;
  json?: { message?: string } | null;
}

/**
 * Turns a dockerode/socket error into a CondenseError that says what is wrong and what to do.
 * Errors that are already CondenseErrors pass through.
 */
export function engineError(error: unknown, target: Pick<EngineTarget, 'host'>): unknown {
  if (error instanceof CondenseError) return error;
  const e = (error ?? {}) as SystemError;
  const text = engineMessage(error);
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EHOSTUNREACH') {
    return new CondenseError(
      'ENGINE_UNAVAILABLE',
      `The Docker engine at ${target.host} is not running (${e.code}). Start Docker Desktop or the Docker service (sudo systemctl start docker), or choose another engine (DOCKER_HOST or a Docker context).`,
      { host: target.host, cause: e.code },
    );
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new CondenseError(
      'PERMISSION_DENIED',
      `No permission to use the Docker socket ${target.host}. Add your user to the "docker" group (sudo usermod -aG docker $USER, then log in again) or use a rootless engine.`,
      { host: target.host },
    );
  }
  if (e.code === 'ETIMEDOUT' || e.code === 'ENOTFOUND' || e.code === 'ECONNRESET') {
    return new CondenseError(
      'ENGINE_UNAVAILABLE',
      `The Docker engine at ${target.host} cannot be reached (${e.code}). Check the address and the network.`,
      { host: target.host, cause: e.code },
    );
  }
  if (e.code && TLS_FAILURE.test(e.code)) {
    return new CondenseError(
      'UNAUTHORIZED',
      `TLS with the Docker engine at ${target.host} failed (${e.code}). Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with this engine's ca.pem, cert.pem and key.pem (or use its Docker context).`,
      { host: target.host, cause: e.code },
    );
  }
  if (/Host denied|host key verification/i.test(text)) {
    return new CondenseError(
      'UNAUTHORIZED',
      `The ssh host key of ${target.host} is not in ~/.ssh/known_hosts (or does not match it). Check the host, then add its key: ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts.`,
      { host: target.host },
    );
  }
  if (/All configured authentication methods failed/i.test(text)) {
    return new CondenseError(
      'UNAUTHORIZED',
      `ssh login to ${target.host} failed: start an ssh agent with your key (SSH_AUTH_SOCK) or put it in ~/.ssh/id_ed25519, and make sure the remote user may use Docker.`,
      { host: target.host },
    );
  }
  if (/no space left on device/i.test(text)) return diskFull(text);
  return error;
}

// Node's TLS failures: OpenSSL alerts (`ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`) and certificate checks.
const TLS_FAILURE =
  /^(ERR_SSL_|ERR_TLS_|EPROTO$|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_(VERIFY|GET)_|CERT_)/;

export function diskFull(text: string): CondenseError {
  return new CondenseError(
    'DISK_FULL',
    `The Docker engine ran out of disk space: ${text.trim()}. Free space with \`docker system prune\` (or \`docker builder prune\`) and build again.`,
  );
}

/** The engine's own message: dockerode puts the JSON body in `json`, else the text in `message`. */
export function engineMessage(error: unknown): string {
  const e = (error ?? {}) as SystemError;
  return e.json?.message ?? e.message ?? String(error);
}

interface VersionReply {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
}

interface InfoReply {
  NCPU?: number;
  MemTotal?: number;
  OSType?: string;
  Architecture?: string;
}

/** How long one Engine API call may wait for its answer; `$CONDENSE_ENGINE_TIMEOUT` seconds. */
export const engineTimeoutMs = () => envSeconds('CONDENSE_ENGINE_TIMEOUT', 30_000);
/** How long a build may send nothing (a silent RUN step); `$CONDENSE_BUILD_IDLE_TIMEOUT` seconds. */
export const buildIdleTimeoutMs = () => envSeconds('CONDENSE_BUILD_IDLE_TIMEOUT', 20 * 60_000);

/**
 * One Engine API call with a deadline ({@link engineTimeoutMs}) that also ends on `signal`. `work`
 * gets the deadline's signal for dockerode's `abortSignal`; an engine that accepts the connection and
 * never answers ends in a TIMEOUT naming the engine and the call. Other errors go through `engineError`.
 */
export async function engineCall<T>(
  engine: Engine,
  what: string,
  work: (abortSignal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await withDeadline(
      engineTimeoutMs(),
      signal,
      `The Docker engine at ${engine.target.host} (${what})`,
      work,
      'check that Docker is running and not overloaded, or raise CONDENSE_ENGINE_TIMEOUT',
    );
  } catch (error) {
    throw engineError(error, engine.target);
  }
}

/** The engine's version, API version, architecture and BuildKit support. */
export async function engineInfo(engine: Engine, signal?: AbortSignal): Promise<EngineInfo> {
  try {
    const [version, info] = await engineCall(
      engine,
      'version and info',
      (abortSignal) =>
        Promise.all([
          // @types/dockerode lacks the options argument dockerode takes (abortSignal included).
          (engine.docker.version as (o: object) => Promise<VersionReply>)({ abortSignal }),
          (engine.docker.info as (o: object) => Promise<InfoReply>)({ abortSignal }),
        ]),
      signal,
    );
    const apiVersion = version.ApiVersion ?? '';
    const os = version.Os ?? info.OSType ?? 'linux';
    return {
      host: engine.target.host,
      context: engine.target.context,
      version: version.Version ?? 'unknown',
      apiVersion,
      os,
      architecture: version.Arch ?? goArch(info.Architecture),
      // BuildKit came with API 1.39 (Docker 18.09) and only on Linux engines.
      buildkit: os === 'linux' && compareApi(apiVersion, '1.39') >= 0,
      cpus: info.NCPU ?? 0,
      memoryBytes: info.MemTotal ?? 0,
    };
  } catch (error) {
    throw engineError(error, engine.target);
  }
}

function goArch(uname: string | undefined): string {
  if (uname === 'x86_64') return 'amd64';
  if (uname === 'aarch64') return 'arm64';
  return uname ?? 'unknown';
}

function compareApi(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}
