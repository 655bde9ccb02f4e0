import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';

/** What the Engine API takes as `X-Registry-Auth` (dockerode's `authconfig`). */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<
    string,
    { auth?: string; identitytoken?: string; username?: string; password?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const HELPER_DEADLINE_MS = 30_000;
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** Docker's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** The keys a registry may appear under in `auths`, as the docker CLI writes them. */
function authKeys(registry: string): string[] {
  if (DOCKER_HUB.includes(registry))
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'];
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

/** Runs `docker-credential-<helper> get` (the credential-helper protocol): registry in, JSON out. */
function fromHelper(
  helper: string,
  registry: string,
  env: NodeJS.ProcessEnv | undefined,
  signal?: AbortSignal,
): Promise<RegistryAuth | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Docker's config names a credential helper "${helper}" that is not a program name`,
    );
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    // Found on PATH as docker finds it; the caller's env (DOCKER_CONFIG, PATH) over the process's.
    const child = spawn(program, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      ...(signal ? { signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_DEADLINE_MS);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (signal?.aborted) reject(new CondenseError('CANCELLED', 'Push cancelled.'));
      else
        reject(
          new CondenseError(
            'NOT_FOUND',
            `Docker's config uses the credential helper ${program}, which is not installed (${error.code ?? error.message})`,
          ),
        );
    });
    child.on('close', (code, killed) => {
      clearTimeout(timer);
      if (killed === 'SIGKILL')
        return reject(
          new CondenseError(
            'TIMEOUT',
            `${program} did not answer within ${HELPER_DEADLINE_MS / 1000} s`,
          ),
        );
      // "credentials not found in native keychain": no login for this registry.
      if (code !== 0)
        return /not found/i.test(stdout + stderr)
          ? resolve(undefined)
          : reject(
              new CondenseError(
                'UNAUTHORIZED',
                `${program} failed for ${registry}: ${(stderr || stdout).trim().split('\n')[0]}`,
              ),
            );
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) return resolve(undefined);
        // An identity token comes back with the user name "<token>".
        resolve(
          answer.Username === '<token>'
            ? { serveraddress: registry, identitytoken: answer.Secret }
            : { serveraddress: registry, username: answer.Username ?? '', password: answer.Secret },
        );
      } catch {
        reject(
          new CondenseError(
            'UNAUTHORIZED',
            `${program} answered something that is not JSON for ${registry}`,
          ),
        );
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(registry);
  });
}

/**
 * Credentials for a registry from Docker's own configuration, as `docker push` finds them: a
 * per-registry credential helper, the default credential store, else `auths`. Condense stores none.
 * Undefined when there is no login for it (anonymous push).
 */
export async function registryAuth(
  registry: string,
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<RegistryAuth | undefined> {
  const path = dockerConfigPath(options.env);
  let config: DockerConfig = {};
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as DockerConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CondenseError(
        'INVALID_INPUT',
        `Docker's config ${path} is not valid JSON: fix or remove it`,
      );
  }
  const helper = config.credHelpers?.[registry];
  if (helper) return fromHelper(helper, registry, options.env, options.signal);
  // With a credential store, `auths` holds only placeholders: the store answers (as docker does).
  if (config.credsStore)
    return fromHelper(config.credsStore, registry, options.env, options.signal);
  for (const key of authKeys(registry)) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { serveraddress: registry, identitytoken: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0)
        return {
          serveraddress: registry,
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
        };
    }
    if (entry.username && entry.password)
      return { serveraddress: registry, username: entry.username, password: entry.password };
  }
  return undefined;
}
