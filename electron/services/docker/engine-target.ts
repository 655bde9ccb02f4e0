import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { DockerOptions } from 'dockerode';

import { CondenseError } from '../../../shared/api/errors';
import { hostKeyAccepted } from './known-hosts';

/** Where the engine is and how to reach it, before any connection is made. */
export interface EngineTarget {
  /** As shown to the user: `unix:///var/run/docker.sock`, `tcp://h:2376`, `ssh://u@h`. */
  host: string;
  /** The Docker context it came from, or `default`. */
  context: string;
  /** Options for `new Docker(options)`. */
  options: DockerOptions;
}

export interface TargetInputs {
  env?: NodeJS.ProcessEnv;
  /** `~/.docker`, or `$DOCKER_CONFIG`. */
  dockerConfigDir?: string;
  /** A context name to use instead of the current one (`--context`). */
  context?: string;
  /** Home folder for ssh keys; default the user's. */
  homeDir?: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * Resolves the engine the way the docker CLI does: `DOCKER_HOST` wins, then `DOCKER_CONTEXT`, then
 * `currentContext` of `~/.docker/config.json` (its endpoint in `contexts/meta/<sha256(name)>/meta.json`,
 * TLS material in `contexts/tls/<sha256(name)>/docker/`), then the local socket.
 */
export function resolveEngineTarget(inputs: TargetInputs = {}): EngineTarget {
  const env = inputs.env ?? process.env;
  const home = inputs.homeDir ?? homedir();
  const configDir = inputs.dockerConfigDir ?? env.DOCKER_CONFIG ?? join(home, '.docker');
  const ssh: SshInputs = { agent: env.SSH_AUTH_SOCK, homeDir: home };
  if (env.DOCKER_HOST && !inputs.context) {
    return fromHost(
      env.DOCKER_HOST,
      'default',
      {
        tlsVerify: env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '',
        certPath: env.DOCKER_CERT_PATH ?? (env.DOCKER_TLS_VERIFY ? configDir : undefined),
      },
      ssh,
    );
  }
  const name = inputs.context ?? env.DOCKER_CONTEXT ?? currentContext(configDir);
  if (name && name !== 'default') return fromContext(configDir, name, ssh);
  return {
    host: `unix://${DEFAULT_SOCKET}`,
    context: 'default',
    options: { socketPath: DEFAULT_SOCKET },
  };
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch (error) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Cannot read ${file}: ${(error as Error).message}. Fix or remove the file.`,
    );
  }
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function fromContext(configDir: string, name: string, ssh: SshInputs): EngineTarget {
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new CondenseError(
      'NOT_FOUND',
      `Docker context "${name}" not found (no ${metaFile}). List contexts with \`docker context ls\`.`,
      { context: name },
    );
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) {
    throw new CondenseError('INVALID_INPUT', `Docker context "${name}" has no docker endpoint.`, {
      context: name,
    });
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  return fromHost(
    endpoint.Host,
    name,
    {
      tlsVerify: existsSync(tlsDir) && !endpoint.SkipTLSVerify,
      certPath: existsSync(tlsDir) ? tlsDir : undefined,
    },
    ssh,
  );
}

/**
 * Like the ssh the docker CLI runs: the agent when SSH_AUTH_SOCK is set, else the first default key
 * file (`~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`). The remote runs `docker system dial-stdio`.
 */
function sshCredentials(
  ssh: SshInputs,
  host: string,
  port: number,
): NonNullable<DockerOptions['sshOptions']> {
  // The host key must be in ~/.ssh/known_hosts, as ssh (run by the docker CLI) requires in batch mode.
  const knownHostsFile = join(ssh.homeDir, '.ssh', 'known_hosts');
  const knownHosts = existsSync(knownHostsFile) ? readFileSync(knownHostsFile, 'utf8') : '';
  const hostVerifier = (key: Buffer) => hostKeyAccepted(knownHosts, host, port, key);
  if (ssh.agent) return { agent: ssh.agent, hostVerifier };
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = join(ssh.homeDir, '.ssh', name);
    if (existsSync(path)) return { privateKey: readFileSync(path), hostVerifier };
  }
  return { hostVerifier };
}

interface SshInputs {
  agent: string | undefined;
  homeDir: string;
}

function fromHost(
  host: string,
  context: string,
  tls: { tlsVerify: boolean; certPath: string | undefined },
  ssh: SshInputs,
): EngineTarget {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new CondenseError(
      'INVALID_INPUT',
      `DOCKER_HOST "${host}" is not a URL: use unix:///path/docker.sock, tcp://host:2376 or ssh://user@host.`,
    );
  }
  if (url.protocol === 'unix:') {
    const socketPath = url.pathname || DEFAULT_SOCKET;
    return { host: `unix://${socketPath}`, context, options: { socketPath } };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const port = url.port || (tls.tlsVerify || url.protocol === 'https:' ? '2376' : '2375');
    const secure = tls.tlsVerify || url.protocol === 'https:' || port === '2376';
    const options: DockerOptions = {
      protocol: secure ? 'https' : 'http',
      host: url.hostname,
      port: Number(port),
    };
    if (secure && tls.certPath) {
      const read = (file: string) => {
        const path = join(tls.certPath!, file);
        if (!existsSync(path)) {
          throw new CondenseError(
            'INVALID_INPUT',
            `TLS file ${path} is missing: DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem.`,
          );
        }
        return readFileSync(path);
      };
      options.ca = read('ca.pem');
      options.cert = read('cert.pem');
      options.key = read('key.pem');
    }
    return { host: `tcp://${url.hostname}:${port}`, context, options };
  }
  if (url.protocol === 'ssh:') {
    const options: DockerOptions = {
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: sshCredentials(ssh, url.hostname, Number(url.port || 22)),
    };
    return { host: `ssh://${url.username ? `${url.username}@` : ''}${url.host}`, context, options };
  }
  throw new CondenseError(
    'INVALID_INPUT',
    `Unsupported engine address "${host}": use unix://, tcp:// (with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH for TLS) or ssh://.`,
  );
}
