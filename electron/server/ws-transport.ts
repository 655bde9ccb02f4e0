import type { WebSocket } from 'ws';

import { METHOD_NAME_PATTERN } from '../../shared/api/bridge';
import type { Transport, WireMessage } from '../../shared/api/rpc';

/** Frames bigger than this are refused by `ws` itself (a request is a small JSON object). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Checks an incoming frame: only `call` messages with an integer id and a `<domain>:<verb>` method
 * name get through. Returns an error text for frames that carry an id, so the caller can answer.
 */
export function parseCall(
  raw: string,
):
  | { ok: true; message: WireMessage & { type: 'call' } }
  | { ok: false; id?: number; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'The message is not JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'The message is not an object.' };
  }
  const { type, id, method, request } = value as Record<string, unknown>;
  const validId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
  if (type !== 'call' || !validId) {
    return { ok: false, error: 'Only {type: "call", id, method, request} messages are accepted.' };
  }
  if (typeof method !== 'string' || !METHOD_NAME_PATTERN.test(method)) {
    return { ok: false, id, error: 'The method name is not of the form <domain>:<verb>.' };
  }
  if (
    request !== undefined &&
    (typeof request !== 'object' || request === null || Array.isArray(request))
  ) {
    return { ok: false, id, error: `The request of ${method} must be an object.` };
  }
  return { ok: true, message: { type: 'call', id, method, request: request ?? {} } };
}

function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Wraps one authenticated WebSocket as a contract transport. */
export function socketTransport(socket: WebSocket): Transport {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      const onFrame = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const parsed: ReturnType<typeof parseCall> = isBinary
          ? { ok: false, error: 'Binary frames are not accepted: send JSON text.' }
          : parseCall(frameText(data));
        if (parsed.ok) {
          listener(parsed.message);
          return;
        }
        // Every frame gets an answer, so a client never waits on a call the server could not read.
        const error = { code: 'INVALID_INPUT', message: parsed.error } as const;
        const reply: WireMessage =
          parsed.id !== undefined
            ? { type: 'result', id: parsed.id, envelope: { ok: false, error } }
            : { type: 'error', error };
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      };
      socket.on('message', onFrame);
      return () => socket.off('message', onFrame);
    },
  };
}
