import type { SmokeCheck, SmokeResult, SmokeSpec } from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import { importSource } from '../../../shared/build/smoke';
import type { Engine } from '../docker/engine';
import { engineCall, engineError } from '../docker/engine';

const OUTPUT_LIMIT = 16_000;

export interface SmokeOptions {
  engine: Engine;
  imageId: string;
  spec: SmokeSpec;
  signal?: AbortSignal;
  /** Per check, default 120 s. */
  timeoutMs?: number;
}

/** Whether the spec asks for anything to run. */
export function hasSmokeChecks(spec: SmokeSpec | undefined): spec is SmokeSpec {
  return Boolean(spec && ((spec.modules?.length ?? 0) > 0 || (spec.command?.length ?? 0) > 0));
}

/**
 * Runs the smoke checks in the built image: `python -c "import <modules>"` and the user's command, each
 * in its own container (host network, entrypoint cleared, removed afterwards).
 */
export async function runSmokeTests(options: SmokeOptions): Promise<SmokeResult> {
  const checks: SmokeCheck[] = [];
  const python = options.spec.python ?? '/env/bin/python';
  if (options.spec.modules?.length) {
    const command = [python, '-c', importSource(options.spec.modules)];
    checks.push({ kind: 'imports', ...(await runCheck(options, command)) });
  }
  if (options.spec.command?.length) {
    checks.push({ kind: 'command', ...(await runCheck(options, options.spec.command)) });
  }
  return {
    passed: checks.every((c) => c.passed),
    checks,
    ...(options.spec.modules?.length ? { modules: options.spec.modules } : {}),
  };
}

async function runCheck(
  options: SmokeOptions,
  command: string[],
): Promise<Omit<SmokeCheck, 'kind'>> {
  const { engine, signal } = options;
  signal?.throwIfAborted();
  const started = performance.now();
  const container = await engineCall(
    engine,
    'create the smoke-test container',
    (abortSignal) =>
      engine.docker.createContainer({
        Image: options.imageId,
        Entrypoint: [command[0]!],
        Cmd: command.slice(1),
        Tty: false,
        AttachStdout: false,
        AttachStderr: false,
        Labels: { 'org.condense.smoke': '1' },
        HostConfig: { NetworkMode: 'host' },
        abortSignal,
      }),
    signal,
  );
  const remove = () =>
    engineCall(engine, 'remove the smoke-test container', (abortSignal) =>
      container.remove({ force: true, abortSignal }),
    ).catch(() => undefined);
  const onAbort = () => void remove();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await engineCall(engine, 'start the smoke-test container', () => container.start(), signal);
    } catch (error) {
      if (isCondenseError(error, 'TIMEOUT') || isCondenseError(error, 'CANCELLED')) throw error;
      // The command itself is missing (`exec: "/env/bin/python": no such file`): a failed check.
      const text = (error as { json?: { message?: string } }).json?.message ?? String(error);
      return {
        command,
        passed: false,
        exitCode: 127,
        output: text,
        durationMs: performance.now() - started,
      };
    }
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      timedOut,
    ]).finally(() => clearTimeout(timer));
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Smoke test cancelled.');
    const raw = await engineCall(
      engine,
      'read the smoke-test output',
      () => container.logs({ stdout: true, stderr: true, follow: false }),
      signal,
    );
    let output = demux(raw);
    if (output.length > OUTPUT_LIMIT) output = `...${output.slice(-OUTPUT_LIMIT)}`;
    if (outcome === 'timeout') {
      return {
        command,
        passed: false,
        exitCode: -1,
        output: `${output}\n(timed out after ${Math.round(timeoutMs / 1000)} s)`,
        durationMs: performance.now() - started,
      };
    }
    return {
      command,
      passed: outcome.StatusCode === 0,
      exitCode: outcome.StatusCode,
      output,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Smoke test cancelled.');
    throw engineError(error, engine.target);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await remove();
  }
}

/** The engine's multiplexed log format: 8-byte headers (stream, 0, 0, 0, size as big-endian u32). */
export function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
