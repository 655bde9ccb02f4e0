import { signalGroups } from '../services/process/child-groups';
import { envSeconds } from '../services/wait/deadline';

let exitHooked = false;

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** How long a command may clean up after Ctrl-C or SIGTERM; `$CONDENSE_EXIT_GRACE` seconds. */
const graceMs = () => envSeconds('CONDENSE_EXIT_GRACE', 5_000);

export interface SignalStopper {
  /** 130 / 143 when a signal stopped the command, else undefined. */
  exitCode(): number | undefined;
  dispose(): void;
}

/**
 * Ctrl-C, SIGTERM and SIGHUP abort the command's signal, so every wait below ends and child process
 * groups get SIGTERM. If the command has not returned within the grace period (or a second signal
 * comes), the process exits anyway, killing the groups first. The `exit` hook kills groups left by
 * any path out of the process.
 */
export function stopOnSignals(
  controller: AbortController,
  io: { stderr: { write(text: string): unknown } },
): SignalStopper {
  let received: NodeJS.Signals | undefined;
  let forced: NodeJS.Timeout | undefined;
  const forceExit = () => {
    signalGroups('SIGKILL');
    process.exit(EXIT_CODES[received ?? 'SIGTERM'] ?? 1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return forceExit();
    received = signal;
    io.stderr.write(
      `condense: ${signal === 'SIGINT' ? 'interrupted' : `got ${signal}`}, stopping\n`,
    );
    controller.abort();
    signalGroups('SIGTERM');
    forced = setTimeout(forceExit, graceMs());
    forced.unref();
  };
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => signalGroups('SIGKILL'));
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return {
    exitCode: () => (received ? EXIT_CODES[received] : undefined),
    dispose() {
      for (const signal of signals) process.off(signal, onSignal);
      clearTimeout(forced);
    },
  };
}
