import { readdir, readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

import { CondenseError } from '../../../shared/api/errors';
import type { RegistryAuth } from './registry-auth';

/** Where Docker keeps per-registry trust (`ca.crt`, `*.crt`) and client certificates (`*.cert`/`*.key`). */
export const DOCKER_CERTS_D = '/etc/docker/certs.d';

export interface RegistryTarget {
  /** `host[:port]`. */
  registry: string;
  auth?: RegistryAuth;
  /** Plain HTTP or unverified TLS: only when the user says the registry is insecure. */
  insecure?: boolean;
  signal?: AbortSignal;
  /** Each request's deadline. */
  timeoutMs?: number;
  certsDir?: string;
}

interface Tls {
  ca: string[];
  cert?: string;
  key?: string;
}

/** The trust Docker's engine has for this registry: system CAs plus `certs.d/<registry>/*.crt`. */
export async function registryTls(registry: string, certsDir = DOCKER_CERTS_D): Promise<Tls> {
  const dir = join(certsDir, registry);
  const tls: Tls = { ca: [...rootCertificates] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return tls;
  }
  for (const name of names.sort()) {
    if (name.endsWith('.crt')) tls.ca.push(await readFile(join(dir, name), 'utf8'));
    if (name.endsWith('.cert')) tls.cert = await readFile(join(dir, name), 'utf8');
    if (name.endsWith('.key')) tls.key = await readFile(join(dir, name), 'utf8');
  }
  return tls;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  target: RegistryTarget,
  tls: Tls,
  verify: boolean,
): Promise<Answer> {
  const timeoutMs = target.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const options = {
      method,
      headers,
      ...(url.protocol === 'https:' ? { ...tls, rejectUnauthorized: verify } : {}),
      ...(target.signal ? { signal: target.signal } : {}),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        if (body.length < 1_000_000) body += c;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    // One timer for the whole exchange: a registry that accepts and never answers ends here.
    const timer = setTimeout(() => {
      req.destroy(
        new CondenseError(
          'TIMEOUT',
          `The registry ${target.registry} did not answer within ${timeoutMs / 1000} s`,
        ),
      );
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** A registry error in words: what failed and what to do, never a credential. */
export function registryError(error: unknown, registry: string): CondenseError {
  if (error instanceof CondenseError) return error;
  const e = error as NodeJS.ErrnoException & { name?: string };
  if (e.name === 'AbortError') return new CondenseError('CANCELLED', 'Push cancelled.');
  const code = e.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/i.test(code + e.message))
    return new CondenseError(
      'TLS_FAILED',
      `The registry ${registry} has a certificate this machine does not trust (${code || e.message}): put its CA in ${DOCKER_CERTS_D}/${registry}/ca.crt, as for Docker, or mark the registry insecure if it really is`,
    );
  if (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ECONNRESET',
    ].includes(code)
  )
    return new CondenseError(
      'REGISTRY_UNREACHABLE',
      `Cannot reach the registry ${registry} (${code}): check its name and port, and that it is up`,
    );
  return new CondenseError('REGISTRY_UNREACHABLE', `The registry ${registry} failed: ${e.message}`);
}

function basic(auth: RegistryAuth | undefined): string | undefined {
  if (!auth?.username || auth.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function challengeParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params;
}

/**
 * One Registry API (distribution v2) call with Docker's rules: TLS trusted as the engine trusts it,
 * Basic or Bearer auth after a 401 challenge, and plain HTTP or unverified TLS only for a registry
 * the user called insecure.
 */
export async function registryCall(
  target: RegistryTarget,
  path: string,
  method: 'GET' | 'HEAD',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const tls = await registryTls(target.registry, target.certsDir);
  const attempt = async (scheme: 'https' | 'http', verify: boolean): Promise<Answer> => {
    const url = new URL(`${scheme}://${target.registry}${path}`);
    let answer = await send(url, method, headers, target, tls, verify);
    const challenge = String(answer.headers['www-authenticate'] ?? '');
    if (answer.status !== 401 || !challenge) return answer;
    let authorization: string | undefined;
    if (/^basic/i.test(challenge)) authorization = basic(target.auth);
    else if (/^bearer/i.test(challenge)) {
      const params = challengeParams(challenge);
      if (!params.realm) return answer;
      const realm = new URL(params.realm);
      if (params.service) realm.searchParams.set('service', params.service);
      if (params.scope) realm.searchParams.set('scope', params.scope);
      const tokenHeaders: Record<string, string> = {};
      const credentials = basic(target.auth);
      if (credentials) tokenHeaders.authorization = credentials;
      const token = await send(realm, 'GET', tokenHeaders, target, tls, verify);
      if (token.status !== 200) return { ...token, status: 401 };
      const parsed = JSON.parse(token.body) as { token?: string; access_token?: string };
      const value = parsed.token ?? parsed.access_token;
      if (value) authorization = `Bearer ${value}`;
    }
    if (!authorization) return answer;
    answer = await send(url, method, { ...headers, authorization }, target, tls, verify);
    return answer;
  };
  try {
    return await attempt('https', true);
  } catch (error) {
    if (!target.insecure || target.signal?.aborted) throw registryError(error, target.registry);
  }
  // Insecure, as Docker treats it: TLS without verification, then plain HTTP.
  try {
    return await attempt('https', false);
  } catch {
    try {
      return await attempt('http', true);
    } catch (error) {
      throw registryError(error, target.registry);
    }
  }
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The digest the registry serves for `repository:reference`, or undefined when it has none. */
export async function manifestDigest(
  target: RegistryTarget,
  repository: string,
  reference: string,
): Promise<string | undefined> {
  const answer = await registryCall(target, `/v2/${repository}/manifests/${reference}`, 'HEAD', {
    accept: MANIFEST_TYPES,
  });
  if (answer.status === 404) return undefined;
  if (answer.status === 401)
    throw new CondenseError(
      'UNAUTHORIZED',
      `The registry ${target.registry} refused the credentials for ${repository}: docker login ${target.registry} again`,
    );
  if (answer.status >= 400)
    throw new CondenseError(
      'REGISTRY_UNREACHABLE',
      `The registry ${target.registry} answered ${answer.status} for ${repository}:${reference}`,
    );
  const digest = answer.headers['docker-content-digest'];
  return typeof digest === 'string' ? digest : undefined;
}
