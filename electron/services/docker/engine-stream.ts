import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';

import { deadline } from '../wait/deadline';
import type { Engine } from './engine';
import { engineError, engineTimeoutMs } from './engine';

const HINT = 'check that Docker is running and not overloaded, or raise CONDENSE_ENGINE_TIMEOUT';

/**
 * Reads one Engine API stream (`docker export`, an archive of a container folder) with an idle
 * deadline: `open` gets the deadline's signal for dockerode's `abortSignal`, and the stream must show
 * a byte at least every {@link engineTimeoutMs} until `consume` is done. An engine that accepts and
 * never answers, or stops sending halfway, ends in TIMEOUT naming the engine and `what`; `signal`
 * (cancel, Ctrl-C) ends it with CANCELLED. Either way the stream is destroyed. `open` may return
 * null (nothing to read, e.g. a 404): `consume` then gets null.
 */
export async function engineStream<T>(
  engine: Engine,
  what: string,
  signal: AbortSignal | undefined,
  open: (abortSignal: AbortSignal) => Promise<Readable | null>,
  consume: (stream: Readable | null) => Promise<T>,
): Promise<T> {
  const idle = deadline(engineTimeoutMs(), signal);
  const label = `The Docker engine at ${engine.target.host} (${what})`;
  const held: { source?: Readable; watched?: Transform } = {};
  let onAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    onAbort = () => {
      held.source?.destroy();
      held.watched?.destroy();
      reject(idle.error(label, HINT));
    };
    if (idle.signal.aborted) onAbort();
    else idle.signal.addEventListener('abort', onAbort, { once: true });
  });
  const work = async (): Promise<T> => {
    const opened = await open(idle.signal);
    if (!opened) return consume(null);
    held.source = opened;
    idle.touch();
    const touch = new Transform({
      transform(chunk, _encoding, callback) {
        idle.touch();
        callback(null, chunk);
      },
    });
    held.watched = touch;
    opened.on('error', (error) => touch.destroy(error));
    if (idle.signal.aborted) opened.destroy();
    return consume(opened.pipe(touch));
  };
  try {
    return await Promise.race([work(), ended]);
  } catch (error) {
    if (idle.signal.aborted) throw idle.error(label, HINT);
    throw engineError(error, engine.target);
  } finally {
    idle.dispose();
    if (onAbort) idle.signal.removeEventListener('abort', onAbort);
    ended.catch(() => undefined);
    held.source?.destroy();
  }
}
