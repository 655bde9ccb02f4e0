import type { ApiClient } from '../../../shared/api/contract';
import type { ApiMethods, MethodName } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { JobEvent, JobKind } from '../../../shared/api/jobs';

type Handler<M extends MethodName> = (
  request: ApiMethods[M]['request'],
) => ApiMethods[M]['response'] | Promise<ApiMethods[M]['response']>;

export type FakeHandlers = { [M in MethodName]?: Handler<M> };

/**
 * An in-memory ApiClient for component tests where no server is involved: handlers per method,
 * every call recorded, job events pushed with `emit`. Unknown methods fail like the real dispatcher.
 */
export function createFakeApi(handlers: FakeHandlers = {}) {
  const calls: { method: string; request: unknown }[] = [];
  const listeners = new Set<(event: JobEvent) => void>();
  const seqs = new Map<string, number>();
  const api: ApiClient = {
    async call(method, request) {
      calls.push({ method, request });
      const handler = (handlers as Record<string, ((r: unknown) => unknown) | undefined>)[method];
      if (!handler) throw new CondenseError('NOT_FOUND', `Unknown method "${method}".`);
      // Like a socket: the answer comes back later, never synchronously.
      await Promise.resolve();
      return (await handler(request)) as never;
    },
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    api,
    calls,
    handlers,
    /** Calls made to one method, in order. */
    callsOf: (method: MethodName) => calls.filter((c) => c.method === method).map((c) => c.request),
    emit(jobId: string, job: JobKind, kind: string, data: unknown) {
      const seq = (seqs.get(jobId) ?? 0) + 1;
      seqs.set(jobId, seq);
      const event: JobEvent = { jobId, job, seq, kind, data };
      for (const listener of listeners) listener(event);
      return event;
    },
    /** Sends an event again, as a replay after reconnecting would. */
    resend(event: JobEvent) {
      for (const listener of listeners) listener(event);
    },
  };
}
