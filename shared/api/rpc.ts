import type { ApiClient, ApiHandlers, MethodName, RequestOf, ResponseOf } from './contract';
import type { Envelope, ErrorInfo } from './errors';
import { CondenseError, fromErrorInfo, toErrorInfo } from './errors';
import type { JobEvent } from './jobs';

/** Messages of the contract on a duplex transport (browser-mode WebSocket, in-memory test pairs). */
export type WireMessage =
  | { type: 'call'; id: number; method: string; request: unknown }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; event: JobEvent }
  /** The answer to a frame that could not be read as a call (no usable id to answer it by). */
  | { type: 'error'; error: ErrorInfo };

export interface Transport {
  send(message: WireMessage): void;
  /** Returns an unsubscribe function. */
  onMessage(listener: (message: WireMessage) => void): () => void;
}

/** Runs one handler and wraps its outcome; unknown methods are errors, not crashes. */
export async function dispatch(
  handlers: ApiHandlers,
  method: string,
  request: unknown,
): Promise<Envelope<unknown>> {
  if (!Object.prototype.hasOwnProperty.call(handlers, method)) {
    return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown method "${method}".` } };
  }
  try {
    const handler = handlers[method as MethodName] as (r: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(request ?? {}) };
  } catch (thrown) {
    return { ok: false, error: toErrorInfo(thrown) };
  }
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw fromErrorInfo(envelope.error);
}

/** Serves handlers on a transport; job events are pushed with the returned `emit`. */
export function serveTransport(transport: Transport, handlers: ApiHandlers) {
  const stop = transport.onMessage((message) => {
    if (message.type !== 'call') return;
    void dispatch(handlers, message.method, message.request).then((envelope) =>
      transport.send({ type: 'result', id: message.id, envelope }),
    );
  });
  return {
    emit: (event: JobEvent) => transport.send({ type: 'event', event }),
    stop,
  };
}

/**
 * The client half of the protocol, shared by every client door: numbers calls, settles them from
 * results, and fans job events out to listeners.
 */
export function createCallTracker() {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  const listeners = new Set<(event: JobEvent) => void>();
  return {
    /** Registers a call: the message to send, and the promise its result settles. */
    track<M extends MethodName>(
      method: M,
      request: RequestOf<M>,
    ): { message: WireMessage; result: Promise<ResponseOf<M>> } {
      const id = nextId++;
      const result = new Promise<ResponseOf<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      });
      return { message: { type: 'call', id, method, request }, result };
    },
    receive(message: WireMessage): void {
      if (message.type === 'result') {
        const waiter = pending.get(message.id);
        if (!waiter) return;
        pending.delete(message.id);
        if (message.envelope.ok) waiter.resolve(message.envelope.value);
        else waiter.reject(fromErrorInfo(message.envelope.error));
      } else if (message.type === 'event') {
        for (const listener of listeners) listener(message.event);
      }
    },
    /** Fails every call still waiting (the connection closed). */
    failPending(reason: string): void {
      for (const waiter of pending.values()) waiter.reject(new CondenseError('CANCELLED', reason));
      pending.clear();
    },
    onJobEvent(listener: (event: JobEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A typed client over any transport. Pending calls fail when `close` is called. */
export function createTransportClient(transport: Transport): ApiClient & { close(): void } {
  const tracker = createCallTracker();
  const stop = transport.onMessage((message) => tracker.receive(message));
  return {
    call(method, request) {
      const { message, result } = tracker.track(method, request);
      transport.send(message);
      return result;
    },
    onJobEvent: (listener) => tracker.onJobEvent(listener),
    close() {
      stop();
      tracker.failPending('The connection to Condense closed.');
    },
  };
}

/** Two connected in-memory transports (VS Code's createProtocolPair), asynchronous like a socket. */
export function createMemoryTransportPair(): [Transport, Transport] {
  const make = (peerListeners: () => Set<(m: WireMessage) => void>) => {
    const own = new Set<(m: WireMessage) => void>();
    const transport: Transport = {
      send(message) {
        // Round-trip through JSON so tests catch values a real socket could not carry.
        const copy = JSON.parse(JSON.stringify(message)) as WireMessage;
        queueMicrotask(() => peerListeners().forEach((l) => l(copy)));
      },
      onMessage(listener) {
        own.add(listener);
        return () => own.delete(listener);
      },
    };
    return { transport, own };
  };
  // eslint-disable-next-line prefer-const -- a and b refer to each other
  let b: ReturnType<typeof make>;
  const a = make(() => b.own);
  b = make(() => a.own);
  return [a.transport, b.transport];
}
