import type { ApiClient } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import { createCallTracker, type WireMessage } from '../../../shared/api/rpc';
import type { SocketEndpoint } from './socket-url';

/** The subset of the WebSocket API the client uses (the browser's, or the `ws` package in Node tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

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
  endpoint: SocketEndpoint,
  openSocket: SocketFactory = (url, protocols) => new WebSocket(url, protocols),
): WebSocketClient {
  let socket: SocketLike | undefined;
  let queue: string[] = [];
  let closed = false;
  const tracker = createCallTracker();

  const onMessage = (raw: unknown) => {
    if (typeof raw !== 'string') return;
    let message: WireMessage;
    try {
      message = JSON.parse(raw) as WireMessage;
    } catch {
      return; // not a protocol message
    }
    tracker.receive(message);
  };

  const connect = (): SocketLike => {
    const current = openSocket(endpoint.url, endpoint.protocols);
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
      tracker.failPending(
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
    call(method, request) {
      if (closed) {
        return Promise.reject(new CondenseError('CANCELLED', 'This Condense client is closed.'));
      }
      const { message, result } = tracker.track(method, request);
      send(JSON.stringify(message));
      return result;
    },
    onJobEvent: (listener) => tracker.onJobEvent(listener),
    close() {
      closed = true;
      const current = socket;
      socket = undefined;
      current?.close();
      tracker.failPending('The connection to Condense closed.');
    },
  };
}
