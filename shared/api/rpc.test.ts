import { describe, expect, it } from 'vitest';

import type { ApiHandlers } from './contract';
import { CondenseError } from './errors';
import { createMemoryTransportPair, createTransportClient, serveTransport } from './rpc';

function handlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  return {
    'app:info': () => Promise.resolve({ name: 'Condense', version: '1.2.3', mode: 'browser' }),
    'jobs:cancel': ({ jobId }) => {
      if (jobId === 'missing') throw new CondenseError('NOT_FOUND', `No job ${jobId}.`, { jobId });
      return Promise.resolve({ cancelled: true });
    },
    'jobs:list': () => Promise.resolve([]),
    ...overrides,
    // Only the methods these tests call; the contract grows as domains land.
  } as ApiHandlers;
}

describe('contract over an in-memory transport pair', () => {
  it('returns typed results from the real server code', async () => {
    const [serverSide, clientSide] = createMemoryTransportPair();
    serveTransport(serverSide, handlers());
    const client = createTransportClient(clientSide);
    await expect(client.call('app:info', {})).resolves.toEqual({
      name: 'Condense',
      version: '1.2.3',
      mode: 'browser',
    });
  });

  it('rebuilds a CondenseError with its code and details on the client', async () => {
    const [serverSide, clientSide] = createMemoryTransportPair();
    serveTransport(serverSide, handlers());
    const client = createTransportClient(clientSide);
    const error = await client.call('jobs:cancel', { jobId: 'missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CondenseError);
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No job missing.',
      details: { jobId: 'missing' },
    });
  });

  it('turns a thrown string (as rattler throws) into an INTERNAL error', async () => {
    const [serverSide, clientSide] = createMemoryTransportPair();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- mimics rattler
    serveTransport(serverSide, handlers({ 'jobs:list': () => Promise.reject('solver exploded') }));
    const client = createTransportClient(clientSide);
    await expect(client.call('jobs:list', {})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'solver exploded',
    });
  });

  it('answers unknown methods with NOT_FOUND instead of hanging', async () => {
    const [serverSide, clientSide] = createMemoryTransportPair();
    serveTransport(serverSide, handlers());
    const client = createTransportClient(clientSide);
    // @ts-expect-error: deliberately not a contract method
    await expect(client.call('nope:nothing', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('delivers job events in order and fails pending calls on close', async () => {
    const [serverSide, clientSide] = createMemoryTransportPair();
    const never = new Promise<never>(() => undefined);
    const server = serveTransport(serverSide, handlers({ 'jobs:list': () => never }));
    const client = createTransportClient(clientSide);
    const seen: number[] = [];
    client.onJobEvent((e) => seen.push(e.seq));
    for (let seq = 1; seq <= 3; seq++)
      server.emit({ jobId: 'j', job: 'build', seq, kind: 'log', data: {} });
    const pending = client.call('jobs:list', {});
    await new Promise((r) => setTimeout(r, 5));
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen).toEqual([1, 2, 3]);
  });
});
