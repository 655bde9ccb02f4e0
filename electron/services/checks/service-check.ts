import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

import type Docker from 'dockerode';

import { CondenseError } from '../../../shared/api/errors';
import type { NetworkMode, ServiceCheckSpec, ServiceResult } from '../../../shared/checks/model';
import type { Engine } from '../docker/engine';
import { engineCall, engineError } from '../docker/engine';
import { serialized } from '../serialized';
import type { CheckWrapper } from './check-container';
import { lastLogLines, withCheckContainer } from './check-container';

export interface ServiceCheckOptions {
  engine: Engine;
  imageId: string;
  /** The port the service listens on inside the container (the recipe's `port`). */
  port: number;
  spec: ServiceCheckSpec;
  /** `default` publishes the port on 127.0.0.1 only; `host` uses the host's port (no publishing). */
  network: Exclude<NetworkMode, 'none'>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Run the image's own command under this wrapper (tracing). */
  wrapper?: CheckWrapper;
  /**
   * Called after the first good answer, while the service still runs: more requests to exercise it
   * (tracing's extra requests). `base` is `http://host:port`.
   */
  afterAnswer?: (base: URL, signal: AbortSignal) => Promise<void>;
}

const POLL_MS = 100;
const BODY_LIMIT = 64 * 1024;
// Answers that mean "not ready yet" from servers and proxies warming up: asked again until the deadline.
const NOT_READY = new Set([502, 503, 504]);

/** Where Condense reaches a port the engine publishes: only a local engine's loopback is ours. */
export function serviceHost(engineHost: string): string | undefined {
  if (engineHost.startsWith('unix://') || engineHost.startsWith('npipe://')) return '127.0.0.1';
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+)/.exec(engineHost);
  return match && ['127.0.0.1', 'localhost', '[::1]'].includes(match[1]!) ? '127.0.0.1' : undefined;
}

/** The container for a service check: the image's own CMD, the port published on 127.0.0.1 only. */
export function serviceContainerOptions(
  imageId: string,
  port: number,
  network: Exclude<NetworkMode, 'none'>,
): Docker.ContainerCreateOptions {
  const key = `${port}/tcp`;
  return {
    Image: imageId,
    Tty: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(network === 'host'
      ? { HostConfig: { NetworkMode: 'host' } }
      : {
          ExposedPorts: { [key]: {} },
          // HostPort '': a free port chosen by the engine, so checks of several images never collide.
          HostConfig: { PortBindings: { [key]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
        }),
  };
}

export interface Answer {
  status: number;
  body: string;
}

export function sendRequest(
  url: URL,
  spec: ServiceCheckSpec,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = spec.body ?? undefined;
    const req = httpRequest(
      url,
      {
        method: spec.method,
        signal,
        timeout: timeoutMs,
        headers: {
          Accept: '*/*',
          Connection: 'close',
          ...(body !== undefined
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether something on this machine already listens on 127.0.0.1:port. */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function peakMemory(container: Docker.Container, signal: AbortSignal): Promise<() => number> {
  let peak = 0;
  const take = (sample: { memory_stats?: { usage?: number; max_usage?: number } }) => {
    const m = sample.memory_stats;
    peak = Math.max(peak, m?.max_usage ?? 0, m?.usage ?? 0);
  };
  try {
    // dockerode passes abortSignal through; its types do not list it.
    const stream = await container.stats({ stream: true, abortSignal: signal } as {
      stream: true;
    });
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        try {
          if (line.trim()) take(JSON.parse(line) as Parameters<typeof take>[0]);
        } catch {
          // A torn line: the next sample comes within a second.
        }
      }
    });
    stream.on('error', () => undefined);
  } catch {
    // No stats from this engine: the result says nothing about memory.
  }
  return () => peak;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const snippet = (text: string) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}...` : one;
};

/**
 * Runs the image with its own CMD, waits for the port, sends the request and measures start-up time
 * (the container's start to the first good answer) and peak memory. The container is removed whatever
 * happens. A container that exits before answering is noticed at once, with its last log lines. On
 * the host network, checks of the same port run one after another.
 */
export function runServiceCheck(options: ServiceCheckOptions): Promise<ServiceResult> {
  const run = () => serviceCheck(options);
  return options.network === 'host' ? serialized(`host-port:${options.port}`, run) : run();
}

async function serviceCheck(options: ServiceCheckOptions): Promise<ServiceResult> {
  const { engine, spec, port, signal } = options;
  const host = serviceHost(engine.target.host);
  if (!host) {
    return {
      passed: false,
      message: `The service check needs a local engine: ${engine.target.host} publishes ports on its own machine. Build on a local engine, or use an SSH tunnel and a local DOCKER_HOST.`,
    };
  }
  if (options.network === 'host' && (await portInUse(port))) {
    return {
      passed: false,
      message: `Port ${port} on this machine is already in use by another program, and with network: host the service must bind it. Stop that program, or use the default network.`,
    };
  }
  const deadline = spec.timeoutSeconds * 1000;
  const cancelled = () => new CondenseError('CANCELLED', 'Service check cancelled.');
  const wrapper = options.wrapper;
  try {
    const containerOptions = serviceContainerOptions(options.imageId, port, options.network);
    if (wrapper) Object.assign(containerOptions, await wrappedCommand(options, wrapper));
    return await withCheckContainer(
      engine,
      'service',
      containerOptions,
      signal,
      async (container) => {
        // Stops the probes, the stats stream and the exit watch when the check ends.
        const local = new AbortController();
        const stop = () => local.abort();
        signal?.addEventListener('abort', stop, { once: true });
        try {
          return await probe(container, options, host, deadline, local.signal);
        } finally {
          signal?.removeEventListener('abort', stop);
          local.abort();
        }
      },
      wrapper ? (container) => wrapper.collect(container, 'service') : undefined,
    );
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    if (error instanceof CondenseError) throw error;
    throw engineError(error, engine.target);
  }
}

/** The image's own ENTRYPOINT and CMD, run under the wrapper. */
async function wrappedCommand(
  options: ServiceCheckOptions,
  wrapper: CheckWrapper,
): Promise<Pick<Docker.ContainerCreateOptions, 'Entrypoint' | 'Cmd'>> {
  const info = await engineCall(options.engine, 'inspect the image', (abortSignal) =>
    options.engine.docker.getImage(options.imageId).inspect({ abortSignal } as object),
  );
  const words = (value: unknown): string[] =>
    Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
  const own = [...words(info.Config.Entrypoint), ...words(info.Config.Cmd)];
  const argv = [...wrapper.command, ...own];
  return { Entrypoint: [argv[0]!], Cmd: argv.slice(1) };
}

async function probe(
  container: Docker.Container,
  options: ServiceCheckOptions,
  host: string,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<ServiceResult> {
  const { spec, port } = options;
  let exited: { code: number } | undefined;
  // `next-exit`, so a container that has not started yet does not count as stopped.
  void (
    container.wait({ condition: 'next-exit', abortSignal: signal }) as Promise<{
      StatusCode: number;
    }>
  )
    .then((r) => (exited = { code: r.StatusCode }))
    .catch(() => undefined);
  await engineCall(
    options.engine,
    'start the service',
    (abortSignal) => container.start({ abortSignal } as object),
    signal,
  );
  const startedClock = performance.now();
  const info = await engineCall(
    options.engine,
    'inspect the service container',
    (abortSignal) => container.inspect({ abortSignal } as object),
    signal,
  );
  const startedAt = Date.parse(info.State.StartedAt);
  const hostPort =
    options.network === 'host'
      ? port
      : Number(info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort ?? NaN);
  const peak = await peakMemory(container, signal);
  const url = new URL(`http://${host}:${hostPort}${spec.path}`);
  const requestText = `${spec.method} ${spec.path} (port ${port}${options.network === 'host' ? ', host network' : ` published on 127.0.0.1:${hostPort}`})`;
  options.onProgress?.(`Service check: ${requestText}`);
  const measured = (): Pick<ServiceResult, 'peakMemoryBytes'> =>
    peak() > 0 ? { peakMemoryBytes: peak() } : {};
  const failure = async (message: string, extra: Partial<ServiceResult> = {}) => {
    const logs = await lastLogLines(container);
    return {
      passed: false,
      message,
      request: requestText,
      ...measured(),
      ...extra,
      ...(logs ? { logs } : {}),
    } satisfies ServiceResult;
  };
  if (!Number.isInteger(hostPort)) return failure(`The engine published no port for ${port}/tcp.`);
  let last: Answer | undefined;
  let lastError = '';
  let refused = 0;
  while (!signal.aborted) {
    const elapsed = performance.now() - startedClock;
    if (exited) {
      return failure(
        `The service exited with code ${exited.code} before answering: see its last log lines.`,
      );
    }
    if (elapsed >= deadlineMs) break;
    let answer: Answer | undefined;
    try {
      const attempt = new AbortController();
      const forward = () => attempt.abort();
      signal.addEventListener('abort', forward, { once: true });
      // An exit ends the attempt at once instead of waiting for the deadline.
      const watch = setInterval(() => exited && attempt.abort(), POLL_MS);
      try {
        answer = await sendRequest(url, spec, Math.max(1, deadlineMs - elapsed), attempt.signal);
      } finally {
        clearInterval(watch);
        signal.removeEventListener('abort', forward);
      }
    } catch (error) {
      lastError = (error as Error).message;
      // The exit watch may have been registered after a very fast exit: ask the engine now and then.
      if (++refused % 10 === 0 && !exited) {
        const state = await engineCall(
          options.engine,
          'inspect the service container',
          (abortSignal) => container.inspect({ abortSignal } as object),
        ).then(
          (i) => i.State,
          () => undefined,
        );
        if (state && !state.Running && state.Status === 'exited') exited = { code: state.ExitCode };
      }
    }
    if (answer) {
      last = answer;
      const statusOk = answer.status === spec.status;
      const bodyOk = spec.expect === null || answer.body.includes(spec.expect);
      if (statusOk && bodyOk) {
        const now = Date.now();
        const startupMs =
          Number.isFinite(startedAt) && now >= startedAt
            ? now - startedAt
            : performance.now() - startedClock;
        await options.afterAnswer?.(new URL(`http://${host}:${hostPort}`), signal);
        // One more sample, so a fast answer still has a memory figure.
        try {
          const sample = (await engineCall(
            options.engine,
            'sample the service memory',
            (abortSignal) =>
              container.stats({ stream: false, 'one-shot': true, abortSignal } as {
                stream: false;
              }),
          )) as {
            memory_stats?: { usage?: number; max_usage?: number };
          };
          const m = sample.memory_stats;
          const value = Math.max(peak(), m?.max_usage ?? 0, m?.usage ?? 0);
          return {
            passed: true,
            startupMs: Math.round(startupMs),
            ...(value > 0 ? { peakMemoryBytes: value } : {}),
            status: answer.status,
            request: requestText,
            message: `Answered ${answer.status}${spec.expect !== null ? ` with "${spec.expect}"` : ''} after ${(startupMs / 1000).toFixed(2)} s.`,
          };
        } catch {
          return {
            passed: true,
            startupMs: Math.round(startupMs),
            ...measured(),
            status: answer.status,
            request: requestText,
            message: `Answered ${answer.status} after ${(startupMs / 1000).toFixed(2)} s.`,
          };
        }
      }
      if (statusOk) {
        return failure(
          `Answered ${answer.status} without "${spec.expect}": ${snippet(answer.body) || '(empty body)'}`,
          { status: answer.status },
        );
      }
      if (!NOT_READY.has(answer.status)) {
        return failure(
          `Answered ${answer.status}, expected ${spec.status}: ${snippet(answer.body) || '(empty body)'}`,
          { status: answer.status },
        );
      }
    }
    await sleep(POLL_MS, signal);
  }
  if (signal.aborted && !exited) throw new CondenseError('CANCELLED', 'Service check cancelled.');
  if (exited) {
    return failure(
      `The service exited with code ${exited.code} before answering: see its last log lines.`,
    );
  }
  const why = last
    ? `the last answer was ${last.status}`
    : `nothing answered on port ${port}${lastError ? ` (${lastError})` : ''}`;
  return failure(
    `No good answer within ${spec.timeoutSeconds} s: ${why}. Does the service listen on 0.0.0.0:${port}? Raise service.timeoutSeconds if it starts slowly.`,
    last ? { status: last.status } : {},
  );
}
