import type { Envelope } from './errors';
import type { JobEvent } from './jobs';

/**
 * What the Electron preload exposes as `window.condense` (contextBridge): one call function that only
 * reaches `condense:<domain>:<verb>` channels, and the job event stream. Errors come back as envelopes
 * because Electron IPC only carries an error's message.
 */
export interface CondenseBridge {
  invoke(method: string, request: unknown): Promise<Envelope<unknown>>;
  /** Returns an unsubscribe function. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}

/** Method names as they may travel on IPC and the WebSocket: `<domain>:<verb>`. */
export const METHOD_NAME_PATTERN = /^[a-z][a-zA-Z]*:[a-z][a-zA-Z]*$/;
