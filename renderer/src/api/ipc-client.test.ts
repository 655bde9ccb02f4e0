import { describe, expect, it } from 'vitest';

import type { CondenseBridge } from '../../../shared/api/bridge';
import { CondenseError } from '../../../shared/api/errors';
import type { JobEvent } from '../../../shared/api/jobs';
import { createApiClient } from './index';
import { createIpcClient } from './ipc-client';

function fakeBridge(
  invoke: CondenseBridge['invoke'],
): CondenseBridge & { emit(e: JobEvent): void } {
  const listeners = new Set<(e: JobEvent) => void>();
  return {
    invoke,
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (e) => listeners.forEach((l) => l(e)),
  };
}

describe('IPC client (Electron window)', () => {
  it('unwraps envelopes into values and CondenseErrors', async () => {
    const calls: [string, unknown][] = [];
    const client = createIpcClient(
      fakeBridge((method, request) => {
        calls.push([method, request]);
        return Promise.resolve(
          method === 'app:info'
            ? { ok: true, value: { name: 'Condense', version: '1', mode: 'electron' } }
            : { ok: false, error: { code: 'NOT_FOUND', message: 'No folder.', details: { x: 1 } } },
        );
      }),
    );
    await expect(client.call('app:info', {})).resolves.toMatchObject({ mode: 'electron' });
    const error = await client.call('project:open', { dir: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CondenseError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No folder.', details: { x: 1 } });
    expect(calls).toEqual([
      ['app:info', {}],
      ['project:open', { dir: '/x' }],
    ]);
  });

  it('turns an Electron-level failure into an INTERNAL error naming the call', async () => {
    const client = createIpcClient(
      fakeBridge(() => Promise.reject(new Error("No handler registered for 'condense:x:y'"))),
    );
    await expect(client.call('jobs:list', {})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('jobs:list') as unknown,
    });
  });

  it('forwards job events until unsubscribed', () => {
    const bridge = fakeBridge(() => Promise.reject(new Error('unused')));
    const client = createIpcClient(bridge);
    const seen: number[] = [];
    const off = client.onJobEvent((e) => seen.push(e.seq));
    bridge.emit({ jobId: 'j', job: 'lock', seq: 1, kind: 'progress', data: {} });
    off();
    bridge.emit({ jobId: 'j', job: 'lock', seq: 2, kind: 'done', data: {} });
    expect(seen).toEqual([1]);
  });

  it('createApiClient picks the preload bridge when the window has one', async () => {
    const bridge = fakeBridge(() =>
      Promise.resolve({ ok: true, value: { name: 'Condense', version: '1', mode: 'electron' } }),
    );
    const win = { condense: bridge } as unknown as Window;
    await expect(createApiClient(win).call('app:info', {})).resolves.toMatchObject({
      mode: 'electron',
    });
  });

  it('createApiClient explains a browser page opened without its token', () => {
    const win = {
      location: { protocol: 'http:', host: '127.0.0.1:1', search: '' },
      sessionStorage: { getItem: () => null, setItem: () => undefined },
    } as unknown as Window;
    expect(() => createApiClient(win)).toThrow(/#token=/);
  });
});
