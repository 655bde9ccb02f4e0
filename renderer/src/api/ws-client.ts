import type { ApiClient, MethodName, RequestOf, ResponseOf } from '../../../shared/api/contract';
import { CondenseError, fromErrorInfo } from '../../../shared/api/errors';
import type { JobEvent } from '../../../shared/api/jobs';
import type { WireMessage } from '../../../shared/api/rpc';

/** The subset of the WebSocket API the client uses (the browser's, or the `ws` package in Node tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

export interface WebSocketClient extends ApiClient {
  /** Closes the socket for good; pending calls fail with CANCELLED. */
  close(): void;
}

/**
 * The browser-mode client: the contract as JSON messages over one WebSocket. Calls made while the
 * socket connects are queued. When the socket drops (laptop asleep, SSH tunnel restarted) pending calls
 * fail with CANCELLED and the next call opens a new socket; job listeners stay subscribed.
 */
export function createWebSocketClient(
  url: string,
  openSocket: SocketFactory = (u) => new WebSocket(u),
): WebSocketClient {
  let nextId = 1;
  let socket: SocketLike | undefined;
  let queue: string[] = [];
  let closed = false;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  const listeners = new Set<(event: JobEvent) => void>();

  const failPending = (message: string) => {
    for (const waiter of pending.values()) waiter.reject(new CondenseError('CANCELLED', message));
    pending.clear();
  };

  const onMessage = (raw: unknown) => {
    if (typeof raw !== 'string') return;
    let message: WireMessage;
    try {
      message = JSON.parse(raw) as WireMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.envelope.ok) waiter.resolve(message.envelope.value);
      else waiter.reject(fromErrorInfo(message.envelope.error));
    } else if (message.type === 'event') {
      for (const listener of listeners) listener(message.event);
    }
  };

  const connect = (): SocketLike => {
    const current = openSocket(url);
    socket = current;
    current.addEventListener('open', () => {
      const waiting = queue;
      queue = [];
      for (const data of waiting) current.send(data);
    });
    current.addEventListener('message', (event) => onMessage(event.data));
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = undefined;
      queue = [];
      failPending(
        'The connection to Condense closed. Is `condense serve` still running? Reload the page to reconnect.',
      );
    });
    return current;
  };

  const send = (data: string) => {
    const current = socket ?? connect();
    if (current.readyState === OPEN) current.send(data);
    else queue.push(data);
  };

  connect();
  return {
    call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      if (closed) {
        return Promise.reject(new CondenseError('CANCELLED', 'This Condense client is closed.'));
      }
      const id = nextId++;
      const data = JSON.stringify({ type: 'call', id, method, request } satisfies WireMessage);
      return new Promise<ResponseOf<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send(data);
      });
    },
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      const current = socket;
      socket = undefined;
      current?.close();
      failPending('The connection to Condense closed.');
    },
  };
}
