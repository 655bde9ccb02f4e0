import type { SmokeCheck, SmokeResult, SmokeSpec } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { importSource } from '../../../shared/build/smoke';
import { COMMAND_TIMEOUT_SECONDS, IMPORTS_TIMEOUT_SECONDS } from '../../../shared/checks/model';
import type { Engine } from '../docker/engine';
import { engineCall, engineError } from '../docker/engine';
import type { CheckWrapper } from './check-container';
import { demux, withCheckContainer } from './check-container';

const OUTPUT_LIMIT = 16_000;

export interface SmokeOptions {
  engine: Engine;
  imageId: string;
  spec: SmokeSpec;
  signal?: AbortSignal;
  /** Deadline of the import check, default IMPORTS_TIMEOUT_SECONDS (the command's is in the spec). */
  importsTimeoutMs?: number;
  /** Run each check under this wrapper (tracing). */
  wrapper?: CheckWrapper;
}

/** Whether the spec asks for anything to run. */
export function hasSmokeChecks(spec: SmokeSpec | undefined): spec is SmokeSpec {
  return Boolean(spec && ((spec.modules?.length ?? 0) > 0 || (spec.command?.length ?? 0) > 0));
}

/**
 * Runs the smoke checks in the built image: `python -c "import <modules>"` and the user's command, each
 * in its own container with no network (a smoke test must not reach local services), the entrypoint
 * cleared, each with a deadline, removed afterwards.
 */
export async function runSmokeTests(options: SmokeOptions): Promise<SmokeResult> {
  const checks: SmokeCheck[] = [];
  const python = options.spec.python ?? '/env/bin/python';
  if (options.spec.modules?.length) {
    const command = [python, '-c', importSource(options.spec.modules)];
    const timeoutMs = options.importsTimeoutMs ?? IMPORTS_TIMEOUT_SECONDS * 1000;
    checks.push({ kind: 'imports', ...(await runCheck(options, 'imports', command, timeoutMs)) });
  }
  if (options.spec.command?.length) {
    const seconds = options.spec.commandTimeoutSeconds ?? COMMAND_TIMEOUT_SECONDS;
    checks.push({
      kind: 'command',
      ...(await runCheck(options, 'command', options.spec.command, seconds * 1000)),
    });
  }
  return {
    passed: checks.every((c) => c.passed),
    checks,
    ...(options.spec.modules?.length ? { modules: options.spec.modules } : {}),
  };
}

function timeoutNote(kind: 'imports' | 'command', seconds: number): string {
  return kind === 'command'
    ? `(still running after ${seconds} s, so it was stopped: a check command must exit, 0 meaning passed. ` +
        'To test a server, set port: and service: in condense.yml: the service check starts the image, ' +
        'sends a request and stops it.)'
    : `(the imports did not finish within ${seconds} s and were stopped)`;
}

async function runCheck(
  options: SmokeOptions,
  kind: SmokeCheck['kind'],
  command: string[],
  timeoutMs: number,
): Promise<Omit<SmokeCheck, 'kind'>> {
  const { engine, signal } = options;
  const started = performance.now();
  const cancelled = () => new CondenseError('CANCELLED', 'Smoke test cancelled.');
  const wrapper = options.wrapper;
  const argv = wrapper ? [...wrapper.command, ...command] : command;
  try {
    return await withCheckContainer(
      engine,
      'smoke',
      {
        Image: options.imageId,
        Entrypoint: [argv[0]!],
        Cmd: argv.slice(1),
        Tty: false,
        AttachStdout: false,
        AttachStderr: false,
        HostConfig: { NetworkMode: 'none' },
      },
      signal,
      async (container) => {
        try {
          await engineCall(
            engine,
            `start the ${kind} check`,
            (abortSignal) => container.start({ abortSignal } as object),
            signal,
          );
        } catch (error) {
          if (signal?.aborted) throw cancelled();
          // The engine did not answer: not the check's failure.
          if (error instanceof CondenseError && error.code === 'TIMEOUT') throw error;
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
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const outcome = await Promise.race([
          container.wait() as Promise<{ StatusCode: number }>,
          timedOut,
        ]).finally(() => clearTimeout(timer));
        if (signal?.aborted) throw cancelled();
        if (outcome === 'timeout')
          await engineCall(engine, `stop the ${kind} check`, (abortSignal) =>
            container.kill({ abortSignal } as object),
          ).catch(() => undefined);
        const raw = await engineCall(
          engine,
          `read the ${kind} check's output`,
          (abortSignal) =>
            container.logs({
              stdout: true,
              stderr: true,
              follow: false,
              abortSignal,
            } as { follow: false }),
          signal,
        );
        let output = demux(raw);
        if (output.length > OUTPUT_LIMIT) output = `...${output.slice(-OUTPUT_LIMIT)}`;
        if (outcome === 'timeout') {
          return {
            command,
            passed: false,
            exitCode: -1,
            timedOut: true,
            output: `${output}${output && !output.endsWith('\n') ? '\n' : ''}${timeoutNote(kind, Math.round(timeoutMs / 1000))}`,
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
      },
      wrapper ? (container) => wrapper.collect(container, kind) : undefined,
    );
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    if (error instanceof CondenseError) throw error;
    throw engineError(error, engine.target);
  }
}
