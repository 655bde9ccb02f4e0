import type { Readable } from 'node:stream';

import type Docker from 'dockerode';
import { extract } from 'tar-stream';

import type { SmokeSpec } from '../../../shared/api/build';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { COMMAND_TIMEOUT_SECONDS, IMPORTS_TIMEOUT_SECONDS } from '../../../shared/checks/model';
import type { TraceAccess, TraceProbe } from '../../../shared/trace/model';
import { parseStraceLog } from '../../../shared/trace/strace-log';
import { TRACE_OUT, tracerCommand } from '../../../shared/trace/tracer';
import type { CheckWrapper } from '../checks/check-container';
import { runServiceCheck, sendRequest } from '../checks/service-check';
import { runSmokeTests } from '../checks/smoke-runner';
import type { Engine } from '../docker/engine';
import { engineCall } from '../docker/engine';
import { engineStream } from '../docker/engine-stream';

/**
 * Programs run slower under ptrace (every file call stops the program twice): the checks get this
 * many times their usual deadlines, so a service that starts in 20 s of its 60 s still passes.
 */
export const TRACE_SLOWDOWN = 3;

export interface TracedChecksOptions {
  engine: Engine;
  /** The trace image (the variant plus the tracer). */
  imageId: string;
  smoke?: SmokeSpec;
  service?: ServiceCheckSpec & { port: number };
  /** More requests sent to the running service after its check answered. */
  requests?: ServiceCheckSpec[];
  /** More commands, each in its own container like the check command. */
  commands?: string[][];
  network: NetworkMode;
  /** false: run the probes as they are, without the tracer (the suggested variant's re-check). */
  traced?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface TracedChecks {
  probes: TraceProbe[];
  accesses: TraceAccess[];
  /** Bytes of strace logs read, for the progress line. */
  logBytes: number;
}

/**
 * Reads every trace file of a stopped container's tracer folder, with the engine's idle deadline and
 * the job's cancel: an engine that stops answering halfway cannot hold the trace.
 */
async function readTraceLogs(
  engine: Engine,
  container: Docker.Container,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  return engineStream(
    engine,
    'read the trace logs',
    signal,
    (abortSignal) =>
      container.getArchive({ path: TRACE_OUT, abortSignal }).then(
        (archive) => archive as unknown as Readable,
        (error: { statusCode?: number }) => {
          // No tracer folder: the command never started.
          if (error.statusCode === 404) return null;
          throw error;
        },
      ),
    (archive) =>
      !archive
        ? Promise.resolve([])
        : new Promise<string[]>((resolve, reject) => {
            const logs: string[] = [];
            const reader = extract();
            reader.on('entry', (header, body, next) => {
              if (header.type !== 'file') {
                body.on('end', () => next());
                body.resume();
                return;
              }
              const chunks: Buffer[] = [];
              body.on('data', (data: unknown) => chunks.push(data as Buffer));
              body.on('end', () => {
                logs.push(Buffer.concat(chunks).toString('utf8'));
                next();
              });
            });
            reader.on('finish', () => resolve(logs));
            reader.on('error', reject);
            archive.on('error', reject);
            archive.pipe(reader);
          }),
  );
}

/**
 * Runs the checks of a build (imports, the check command, the service check with its request) and
 * the user's extra commands and requests in the trace image, each under strace, and returns every
 * path they touched. A service is stopped with SIGTERM first, so strace writes its logs out.
 */
export async function runTracedChecks(options: TracedChecksOptions): Promise<TracedChecks> {
  const { engine, signal } = options;
  const accesses: TraceAccess[] = [];
  const probes: TraceProbe[] = [];
  let logBytes = 0;
  const traced = options.traced !== false;
  const slowdown = traced ? TRACE_SLOWDOWN : 1;
  const wrapper: CheckWrapper = {
    command: tracerCommand(),
    collect: async (container, kind) => {
      if (kind === 'service') {
        // SIGTERM, then SIGKILL after 10 s; the engine's own deadline on top.
        await engineCall(
          engine,
          'stop the traced service',
          (abortSignal) =>
            container
              .stop({ t: 10, abortSignal } as { t: number })
              .catch((error: { statusCode?: number }) => {
                if (error.statusCode !== 304) throw error;
              }),
          signal,
        );
      }
      for (const log of await readTraceLogs(engine, container, signal)) {
        logBytes += log.length;
        accesses.push(...parseStraceLog(log));
      }
    },
  };
  const progress = (message: string) => options.onProgress?.(message);
  const smokeProbes = async (spec: SmokeSpec) => {
    const result = await runSmokeTests({
      engine,
      imageId: options.imageId,
      spec: {
        ...spec,
        commandTimeoutSeconds: (spec.commandTimeoutSeconds ?? COMMAND_TIMEOUT_SECONDS) * slowdown,
      },
      importsTimeoutMs: IMPORTS_TIMEOUT_SECONDS * 1000 * slowdown,
      ...(traced ? { wrapper } : {}),
      ...(signal ? { signal } : {}),
    });
    for (const check of result.checks) {
      const label =
        check.kind === 'imports'
          ? `import ${(spec.modules ?? []).join(', ')}`
          : check.command.join(' ');
      probes.push({
        kind: check.kind,
        label,
        passed: check.passed,
        message: check.passed
          ? `exit 0 in ${(check.durationMs / 1000).toFixed(1)} s`
          : `exit ${check.exitCode}: ${check.output.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`,
      });
    }
  };
  if (options.smoke && ((options.smoke.modules?.length ?? 0) > 0 || options.smoke.command)) {
    progress('Tracing the smoke test');
    await smokeProbes(options.smoke);
  }
  for (const command of options.commands ?? []) {
    progress(`Tracing ${command.join(' ')}`);
    await smokeProbes({
      modules: [],
      command,
      ...(options.smoke?.python ? { python: options.smoke.python } : {}),
    });
  }
  if (options.service && options.network !== 'none') {
    const service = options.service;
    const at = probes.length;
    progress(`Tracing the service: ${service.method} ${service.path}`);
    const result = await runServiceCheck({
      engine,
      imageId: options.imageId,
      port: service.port,
      spec: { ...service, timeoutSeconds: service.timeoutSeconds * slowdown },
      network: options.network,
      ...(traced ? { wrapper } : {}),
      afterAnswer: async (base, requestSignal) => {
        for (const request of options.requests ?? []) {
          progress(`Tracing the service: ${request.method} ${request.path}`);
          probes.push(await extraRequest(base, request, requestSignal, slowdown));
        }
      },
      ...(signal ? { signal } : {}),
      onProgress: progress,
    });
    probes.splice(at, 0, {
      kind: 'service',
      label: `${service.method} ${service.path}`,
      passed: result.passed,
      message: result.message,
    });
  }
  return { probes, accesses, logBytes };
}

async function extraRequest(
  base: URL,
  spec: ServiceCheckSpec,
  signal: AbortSignal,
  slowdown: number,
): Promise<TraceProbe> {
  const label = `${spec.method} ${spec.path}`;
  try {
    const answer = await sendRequest(
      new URL(spec.path, base),
      spec,
      spec.timeoutSeconds * 1000 * slowdown,
      signal,
    );
    const passed =
      answer.status === spec.status && (spec.expect === null || answer.body.includes(spec.expect));
    return {
      kind: 'service',
      label,
      passed,
      message: passed
        ? `answered ${answer.status}`
        : `answered ${answer.status}, expected ${spec.status}${spec.expect !== null ? ` with "${spec.expect}"` : ''}`,
    };
  } catch (error) {
    return { kind: 'service', label, passed: false, message: (error as Error).message };
  }
}
