import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { PushedTag, PushProgressEvent } from '../../../shared/api/delivery';
import { CondenseError } from '../../../shared/api/errors';
import { defaultRepository } from '../build/build-service';
import { listBuilds } from '../build/history-store';
import type { Engine } from '../docker/engine';
import { loadRecipe } from '../recipe/recipe-file';
import type { RegistryAuth } from './registry-auth';
import { registryAuth } from './registry-auth';
import { manifestDigest } from './registry-client';

export type { PushedTag, PushProgressEvent as PushProgress } from '../../../shared/api/delivery';

export interface PushOptions {
  engine: Engine;
  projectDir: string;
  /** `host[:port][/path]`: the repository is `<registry>/<project name>`. */
  registry: string;
  /** Variant ids; none: every variant of the latest build that succeeded. */
  variants?: string[];
  /** Plain HTTP or unverified TLS for Condense's own check; only when the user says so. */
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: PushProgressEvent) => void;
  /** A push with no progress for this long is stopped. */
  idleTimeoutMs?: number;
  /** Attempts per tag on transient errors (connection reset, 5xx, timeouts). */
  attempts?: number;
  /** Waits between attempts grow from this. */
  retryDelayMs?: number;
  env?: NodeJS.ProcessEnv;
  certsDir?: string;
}

const TRANSIENT =
  /connection reset|broken pipe|unexpected EOF|i\/o timeout|TLS handshake timeout|50[234]|Service Unavailable|Bad Gateway|Gateway Time-?out|too many requests|429/i;

/** `host[:port]` of a registry reference, and the path inside it. */
export function splitRegistry(reference: string): { host: string; path: string } {
  const trimmed = reference.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const [host, ...rest] = trimmed.split('/');
  if (!host || !/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(host)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `"${reference}" is not a registry: give host[:port][/path], e.g. ghcr.io/my-org or 127.0.0.1:5000`,
      { field: 'registry' },
    );
  }
  if (rest.some((part) => !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(part))) {
    throw new CondenseError(
      'INVALID_INPUT',
      `"${reference}": a repository path has lower-case letters, digits and . _ - only`,
      { field: 'registry' },
    );
  }
  return { host, path: rest.join('/') };
}

/** A push error from the engine's stream, in words that say what to do. */
export function pushError(message: string, registry: string, repository: string): CondenseError {
  if (
    /unauthorized|authentication required|denied: requested access|incorrect username or password/i.test(
      message,
    )
  )
    return new CondenseError(
      'UNAUTHORIZED',
      `The registry ${registry} refused the push to ${repository}: log in with docker login ${registry} (Condense uses Docker's credentials)`,
    );
  if (/x509|certificate|tls: /i.test(message))
    return new CondenseError(
      'TLS_FAILED',
      `The engine does not trust the certificate of ${registry}: put the registry's CA in /etc/docker/certs.d/${registry}/ca.crt on the engine's host`,
    );
  // The engine could not connect at all: said first, as its message holds the port (41357 once
  // read as an HTTP 413).
  if (
    /connection refused|no such host|dial tcp|server gave HTTP response to HTTPS client/i.test(
      message,
    )
  )
    return new CondenseError(
      'REGISTRY_UNREACHABLE',
      /HTTP response to HTTPS/.test(message)
        ? `The registry ${registry} speaks plain HTTP: add it to the engine's insecure-registries if that is intended`
        : `Cannot reach the registry ${registry} from the engine: check its name and port, and that it is up`,
    );
  // HTTP 413 as Docker words it ("error parsing HTTP 413 response body", "unexpected status: 413
  // Request Entity Too Large"), never a bare 413.
  if (/quota|storage limit|request entity too large|\bHTTP 413\b|\bstatus:? 413\b/i.test(message))
    return new CondenseError(
      'QUOTA_EXCEEDED',
      `The registry ${registry} is over its storage quota for ${repository}: free space there or raise the quota`,
    );
  if (/name unknown|repository name not known|does not exist|not found/i.test(message))
    return new CondenseError(
      'NOT_FOUND',
      `The registry ${registry} has no repository ${repository}: create it there or check the name`,
    );
  return new CondenseError('EXTERNAL_TOOL_FAILED', `Pushing to ${registry} failed: ${message}`);
}

interface StreamEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string };
  error?: string;
  errorDetail?: { message?: string };
}

/** One `docker push` of one tag through the Engine API; resolves with the manifest digest. */
async function pushTag(
  options: PushOptions,
  auth: RegistryAuth | undefined,
  repository: string,
  tag: string,
  variant: string,
  registry: string,
): Promise<string> {
  const idleMs = options.idleTimeoutMs ?? 120_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  let timedOut = false;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleMs);
  };
  try {
    touch();
    const image = options.engine.docker.getImage(repository);
    // @types/dockerode types push as callback-only; without a callback dockerode returns the stream.
    const push = image.push.bind(image) as unknown as (o: object) => Promise<NodeJS.ReadableStream>;
    const stream = await push({
      tag,
      ...(auth ? { authconfig: auth } : {}),
      abortSignal: controller.signal,
    });
    return await new Promise<string>((resolve, reject) => {
      let digest: string | undefined;
      let failure: string | undefined;
      options.engine.docker.modem.followProgress(
        stream,
        (error: Error | null) => {
          if (timedOut)
            return reject(
              new CondenseError(
                'TIMEOUT',
                `The push to ${registry} made no progress for ${idleMs / 1000} s: the registry or the network is stuck`,
              ),
            );
          if (options.signal?.aborted)
            return reject(new CondenseError('CANCELLED', 'Push cancelled.'));
          if (failure) return reject(new Error(failure));
          if (error) return reject(error);
          if (!digest) return reject(new Error('the engine reported no digest'));
          resolve(digest);
        },
        (event: StreamEvent) => {
          touch();
          const message = event.errorDetail?.message ?? event.error;
          if (message) failure = message;
          if (event.aux?.Digest) digest = event.aux.Digest;
          if (event.status)
            options.onProgress?.({
              variant,
              tag: `${repository}:${tag}`,
              ...(event.id && event.id !== tag ? { layer: event.id } : {}),
              status: event.status,
              ...(event.progressDetail?.current !== undefined
                ? { current: event.progressDetail.current }
                : {}),
              ...(event.progressDetail?.total !== undefined
                ? { total: event.progressDetail.total }
                : {}),
            });
        },
      );
    });
  } catch (error) {
    if (error instanceof CondenseError) throw error;
    if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Push cancelled.');
    if (timedOut)
      throw new CondenseError(
        'TIMEOUT',
        `The push to ${registry} made no progress for ${idleMs / 1000} s: the registry or the network is stuck`,
      );
    throw error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs `work` again after transient registry errors (resets, 5xx, 429), waiting longer each time. */
export async function withRetries<T>(
  options: Pick<PushOptions, 'attempts' | 'retryDelayMs' | 'signal'>,
  work: () => Promise<T>,
  describe: (m: string) => CondenseError,
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CondenseError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts || !TRANSIENT.test(message)) throw describe(message);
      await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1)));
      options.signal?.throwIfAborted();
    }
  }
}

/**
 * Pushes variants of the latest successful build as `<registry>/<project>:<variant>` and
 * `:<variant>-<lock hash>`, with Docker's own credentials, and checks that the registry serves the
 * pushed digest (TLS trusted as the engine trusts it).
 */
export async function pushVariants(options: PushOptions): Promise<PushedTag[]> {
  const { host, path } = splitRegistry(options.registry);
  const recipe = await loadRecipe(options.projectDir);
  const lockText = await readFile(join(options.projectDir, recipe.lockfile)).catch(() => {
    throw new CondenseError(
      'NOT_FOUND',
      `No lockfile ${recipe.lockfile}: lock and build first (condense lock, condense build)`,
    );
  });
  const lockHash = createHash('sha256').update(lockText).digest('hex').slice(0, 12);
  const build = (await listBuilds(options.projectDir)).find((b) =>
    b.variants.some((v) => v.state === 'succeeded' && v.imageId),
  );
  if (!build)
    throw new CondenseError(
      'NOT_FOUND',
      `No successful build in ${options.projectDir} to push: run condense build first`,
    );
  const built = build.variants.filter((v) => v.state === 'succeeded' && v.imageId);
  const chosen = options.variants?.length
    ? built.filter((v) => options.variants!.includes(v.id))
    : built;
  const missing = (options.variants ?? []).filter((id) => !built.some((v) => v.id === id));
  if (missing.length > 0)
    throw new CondenseError(
      'INVALID_INPUT',
      `Build ${build.id} has no image for ${missing.join(', ')} (it has ${built.map((v) => v.id).join(', ')})`,
      { field: 'variant' },
    );
  const name = defaultRepository(options.projectDir).split('/').pop()!;
  const repositoryPath = [path, name].filter(Boolean).join('/');
  const repository = `${host}/${repositoryPath}`;
  const auth = await registryAuth(host, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const pushed: PushedTag[] = [];
  for (const variant of chosen) {
    const image = options.engine.docker.getImage(variant.imageId!);
    for (const tag of [variant.id, `${variant.id}-${lockHash}`]) {
      options.signal?.throwIfAborted();
      await image.tag({ repo: repository, tag });
      const digest = await withRetries(
        options,
        () => pushTag(options, auth, repository, tag, variant.id, host),
        (message) => pushError(message, host, repositoryPath),
      );
      const served = await manifestDigest(
        {
          registry: host,
          ...(auth ? { auth } : {}),
          ...(options.insecure ? { insecure: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.certsDir ? { certsDir: options.certsDir } : {}),
        },
        repositoryPath,
        tag,
      );
      if (served !== digest)
        throw new CondenseError(
          'EXTERNAL_TOOL_FAILED',
          `The registry ${host} serves ${served ?? 'nothing'} for ${repositoryPath}:${tag}, not the pushed ${digest}`,
        );
      pushed.push({ variant: variant.id, tag: `${repository}:${tag}`, digest });
    }
  }
  return pushed;
}
