import type { ApiHandlers } from '../../shared/api/contract';
import { IPC_PREFIX } from '../../shared/api/contract';
import type { Envelope } from '../../shared/api/errors';
import { dispatch } from '../../shared/api/rpc';
import type { SenderFrame } from './sender-check';
import { isPlainRequest, isTrustedSender } from './sender-check';

/** What the listener reads of an IpcMainInvokeEvent. */
export interface InvokeEvent {
  senderFrame: { url: string; parent: unknown } | null;
}

/** The structural part of `ipcMain` this module uses (the real one in the app, a recorder in tests). */
export interface IpcRegistry {
  handle(channel: string, listener: (event: InvokeEvent, request: unknown) => unknown): void;
  removeHandler(channel: string): void;
}

function frameOf(event: InvokeEvent): SenderFrame | null {
  const frame = event.senderFrame;
  return frame ? { url: frame.url, isMainFrame: frame.parent === null } : null;
}

/** One IPC call: sender check, payload check, then the handler; always answers with an envelope. */
export function createInvokeListener(
  handlers: ApiHandlers,
  method: string,
  origin?: string,
): (event: InvokeEvent, request: unknown) => Promise<Envelope<unknown>> {
  return async (event, request) => {
    if (!isTrustedSender(frameOf(event), origin)) {
      return {
        ok: false,
        error: { code: 'UNAUTHORIZED', message: 'Refused: the call did not come from Condense.' },
      };
    }
    if (!isPlainRequest(request)) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: `The request of ${method} must be an object.` },
      };
    }
    return dispatch(handlers, method, request);
  };
}

/** Registers `condense:<method>` for every handler; returns a function that removes them. */
export function registerIpcHandlers(
  ipc: IpcRegistry,
  handlers: ApiHandlers,
  origin?: string,
): () => void {
  const channels = Object.keys(handlers).map((method) => {
    const channel = `${IPC_PREFIX}${method}`;
    ipc.handle(channel, createInvokeListener(handlers, method, origin));
    return channel;
  });
  return () => channels.forEach((channel) => ipc.removeHandler(channel));
}
