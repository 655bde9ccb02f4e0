import { hostname } from 'node:os';

import type Docker from 'dockerode';

import { CHECK_LABEL, CHECK_OWNER_LABEL } from '../../../shared/checks/model';
import type { Engine } from '../docker/engine';
import { engineCall, engineTimeoutMs } from '../docker/engine';
import { withDeadline } from '../wait/deadline';

/** Which process started a check container (or a trace image): a later run removes it once that process is gone. */
export const OWNER = `${hostname()}:${process.pid}`;

/** Labels for a container a check creates (`kind`: smoke, command, service). */
export function checkLabels(kind: string): Record<string, string> {
  return { [CHECK_LABEL]: kind, [CHECK_OWNER_LABEL]: OWNER };
}

/** Whether the process an owner label names still runs (another machine's: assumed so). */
export function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  // Another machine's containers (a shared remote engine) are its own business.
  if (host !== hostname()) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes check containers left by a crashed or killed Condense (labelled by `checkLabels`): every
 * one whose process on this machine is gone, and those of this process that are no longer in use
 * (`inUse`). Failures are ignored: a leftover must never fail a build.
 */
export async function removeLeftoverChecks(
  engine: Engine,
  inUse: ReadonlySet<string> = activeContainers,
): Promise<string[]> {
  let containers: Docker.ContainerInfo[];
  try {
    containers = await engineCall(engine, 'list leftover check containers', (abortSignal) =>
      engine.docker.listContainers({
        all: true,
        filters: { label: [CHECK_LABEL] },
        abortSignal,
      } as Docker.ContainerListOptions),
    );
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const info of containers) {
    if (inUse.has(info.Id) || ownerAlive(info.Labels?.[CHECK_OWNER_LABEL])) continue;
    try {
      await engineCall(engine, 'remove a leftover check container', (abortSignal) =>
        engine.docker.getContainer(info.Id).remove({ force: true, abortSignal }),
      );
      removed.push(info.Id);
    } catch {
      // Gone already, or the engine refused: the next run tries again.
    }
  }
  return removed;
}

/** Containers this process's checks are using now (never swept). */
const activeContainers = new Set<string>();

/**
 * Runs a check's command under another program and reads files out of its container before the
 * container goes: how tracing runs the same checks as a build.
 */
export interface CheckWrapper {
  /** Put before the check's command (the tracer's command line, ending in `--`). */
  command: string[];
  /**
   * Called when the check is done and before its container is removed (not after a cancel). A
   * service container still runs then: stop it first if the files need it.
   */
  collect: (container: Docker.Container, kind: string) => Promise<void>;
}

/**
 * Creates a labelled check container, runs `use` and removes the container whatever happens: failure,
 * cancel (the signal removes it at once, which ends every wait on it), or a crash of the app inside.
 * `beforeRemove` runs first when the check was not cancelled (a wrapper's `collect`).
 */
export async function withCheckContainer<T>(
  engine: Engine,
  kind: string,
  options: Docker.ContainerCreateOptions,
  signal: AbortSignal | undefined,
  use: (container: Docker.Container) => Promise<T>,
  beforeRemove?: (container: Docker.Container) => Promise<void>,
): Promise<T> {
  signal?.throwIfAborted();
  const container = await engineCall(
    engine,
    `create the ${kind} container`,
    (abortSignal) =>
      engine.docker.createContainer({
        ...options,
        Labels: { ...options.Labels, ...checkLabels(kind) },
        abortSignal,
      }),
    signal,
  );
  activeContainers.add(container.id);
  let removal: Promise<unknown> | undefined;
  const remove = () =>
    (removal ??= engineCall(engine, `remove the ${kind} container`, (abortSignal) =>
      container.remove({ force: true, abortSignal }),
    ).catch((error: { statusCode?: number }) => {
      // 404: removed already; 409: removal in progress.
      if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
    }));
  const onAbort = () => void remove().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await use(container);
    if (beforeRemove && !signal?.aborted) await beforeRemove(container);
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    try {
      await remove();
    } catch {
      // One more try: a container must not outlive its check.
      await engineCall(engine, `remove the ${kind} container`, (abortSignal) =>
        container.remove({ force: true, abortSignal }),
      ).catch(() => undefined);
    }
    activeContainers.delete(container.id);
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

/** The container's last `lines` log lines (stdout and stderr), or '' when the engine has none. */
export async function lastLogLines(container: Docker.Container, lines = 20): Promise<string> {
  try {
    // A failure's last words: never worth more than one engine deadline.
    const raw = await withDeadline(engineTimeoutMs(), undefined, 'container logs', (abortSignal) =>
      container.logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: lines,
        abortSignal,
      } as { follow: false }),
    );
    return demux(raw).trimEnd();
  } catch {
    return '';
  }
}
