import { CondenseError } from '../../../shared/api/errors';

/**
 * One deadline for one wait: its own timer and its own AbortController. Node 20's
 * `AbortSignal.any([..., AbortSignal.timeout(ms)])` can stop firing once the timeout signal is
 * garbage-collected, so no wait in Condense builds its timeout that way; they all come through here.
 */
export interface Deadline {
  /** Aborted when the time is up or the parent signal aborts. */
  readonly signal: AbortSignal;
  /** True once the time ran out (as opposed to a cancel from the parent). */
  readonly expired: boolean;
  /** Starts the clock again: for idle deadlines, call it whenever the other side shows life. */
  touch(): void;
  /** Stops the timer and detaches from the parent; call it when the wait is over. */
  dispose(): void;
  /** The CondenseError for this deadline's end: TIMEOUT naming `what`, or CANCELLED. */
  error(what: string, hint?: string): CondenseError;
}

/** A deadline of `ms` milliseconds that also aborts with `parent` (Ctrl-C, jobs:cancel). */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expired = true;
      controller.abort(new CondenseError('TIMEOUT', `no answer within ${seconds(ms)}`));
    }, ms);
  };
  const onParentAbort = () => {
    clearTimeout(timer);
    controller.abort(new CondenseError('CANCELLED', 'Cancelled.'));
  };
  if (parent?.aborted) onParentAbort();
  else {
    arm();
    parent?.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    touch() {
      if (!controller.signal.aborted) arm();
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
    error(what, hint) {
      if (!expired) return new CondenseError('CANCELLED', 'Cancelled.');
      return new CondenseError(
        'TIMEOUT',
        `${what} did not answer within ${seconds(ms)}${hint ? `: ${hint}` : ''}`,
        { timeoutMs: ms },
      );
    },
  };
}

/**
 * Runs `work` with a deadline: `work` gets the deadline's signal (pass it down to fetch, dockerode,
 * spawn). The result is raced against the signal too, so a call that ignores its signal still ends.
 */
export async function withDeadline<T>(
  ms: number,
  parent: AbortSignal | undefined,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
  hint?: string,
): Promise<T> {
  const wait = deadline(ms, parent);
  let onAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    onAbort = () => reject(wait.error(what, hint));
    if (wait.signal.aborted) onAbort();
    else wait.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(wait.signal), ended]);
  } catch (error) {
    if (wait.signal.aborted) throw wait.error(what, hint);
    throw error;
  } finally {
    wait.dispose();
    if (onAbort) wait.signal.removeEventListener('abort', onAbort);
    // The race's loser must not become an unhandled rejection.
    ended.catch(() => undefined);
  }
}

/** Milliseconds from an environment variable holding seconds, else `fallbackMs`. */
export function envSeconds(name: string, fallbackMs: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallbackMs;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${name} must be a positive number of seconds, not ${JSON.stringify(text)}`,
    );
  }
  return value * 1000;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
