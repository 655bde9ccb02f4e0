import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { CondenseError } from '../../../shared/api/errors';
import { trackGroup } from '../process/child-groups';
import { findCondaExecutable, locateExecutable } from './conda-executable';
import { ENVIRONMENT_FILE, UNIFIED_LOCK } from './lock-files';

export interface CondaLockRun {
  projectDir: string;
  platforms: string[];
  /** Executable; default `conda-lock` from PATH (or $CONDENSE_CONDA_LOCK). */
  condaLockPath?: string;
  /** conda, mamba or micromamba for conda-lock's `--conda`; default found by {@link findCondaExecutable}. */
  condaPath?: string;
  update?: string[];
  /** Default 30 minutes: conda-lock solves can be slow (users report hours on big stacks). */
  timeoutMs?: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** The argument array (never a shell string) for conda-lock. */
export function condaLockArguments(
  run: Pick<CondaLockRun, 'platforms' | 'update' | 'condaPath'>,
): string[] {
  return [
    'lock',
    '--file',
    ENVIRONMENT_FILE,
    '--lockfile',
    UNIFIED_LOCK,
    '--kind',
    'lock',
    '--kind',
    'explicit',
    '--filename-template',
    'conda-{platform}.lock',
    // Tokens in channel URLs never reach a lockfile.
    '--strip-auth',
    ...run.platforms.flatMap((p) => ['--platform', p]),
    ...(run.update ?? []).flatMap((n) => ['--update', n]),
    ...(run.condaPath ? ['--conda', run.condaPath] : []),
  ];
}

const KILL_GRACE_MS = 3000;

function notFound(executable: string): CondenseError {
  return new CondenseError(
    'ENGINE_UNAVAILABLE',
    `conda-lock was not found (${executable}): install it (pip install conda-lock or conda install -c conda-forge conda-lock), set its path, or use the built-in engine`,
    { executable },
  );
}

/**
 * Runs conda-lock in the project folder, streams its output lines as progress, aborts on the signal,
 * kills it after the timeout, and turns failures into CondenseErrors with its last error lines.
 */
export function runCondaLock(run: CondaLockRun): Promise<void> {
  const executable = run.condaLockPath ?? process.env.CONDENSE_CONDA_LOCK ?? 'conda-lock';
  const timeoutMs = run.timeoutMs ?? 30 * 60_000;
  return new Promise<void>((resolve, reject) => {
    if (run.signal?.aborted) {
      reject(new CondenseError('CANCELLED', 'Cancelled.'));
      return;
    }
    let condaPath: string;
    try {
      if (!locateExecutable(executable)) throw notFound(executable);
      condaPath = findCondaExecutable(executable, run.condaPath);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const child = spawn(executable, condaLockArguments({ ...run, condaPath }), {
      cwd: run.projectDir,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: conda-lock runs a solver (micromamba, conda) as a child, and killing only
      // conda-lock would leave that running and holding the output pipes open.
      detached: true,
    });
    // Remembered so that the CLI's exit (or a forced exit after SIGTERM) takes the group along.
    const forget = child.pid !== undefined ? trackGroup(child.pid) : () => undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stderrTail: string[] = [];
    let reason: 'timeout' | 'cancelled' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'cancelled') => {
      if (reason || child.exitCode !== null) return;
      reason = why;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('cancelled');
    run.signal?.addEventListener('abort', onAbort, { once: true });

    createInterface({ input: child.stdout }).on('line', (line) => run.progress?.(line));
    createInterface({ input: child.stderr }).on('line', (line) => {
      run.progress?.(line);
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    });

    const finish = (error?: CondenseError) => {
      // A stopped conda-lock may leave its solver behind in the group.
      if (reason) killGroup('SIGKILL');
      forget();
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish(notFound(executable));
      else
        finish(
          new CondenseError(
            'EXTERNAL_TOOL_FAILED',
            `cannot start conda-lock (${executable}): ${error.message}`,
          ),
        );
    });
    child.once('close', (code, signal) => {
      if (reason === 'cancelled') return finish(new CondenseError('CANCELLED', 'Cancelled.'));
      if (reason === 'timeout') {
        return finish(
          new CondenseError(
            'TIMEOUT',
            `conda-lock did not finish within ${Number((timeoutMs / 1000).toFixed(1))} s and was stopped: raise the timeout or simplify the environment`,
            { timeoutMs },
          ),
        );
      }
      if (code === 0) return finish();
      const tail = stderrTail.filter((l) => l.trim() !== '');
      finish(
        new CondenseError(
          'EXTERNAL_TOOL_FAILED',
          `conda-lock failed (${code !== null ? `exit code ${code}` : `signal ${signal}`})${tail.length ? `:\n${tail.slice(-8).join('\n')}` : ' without printing an error'}`,
          { exitCode: code, signal, stderr: tail },
        ),
      );
    });
  });
}
