import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

import type { BrowserServer } from '../electron/server/browser-server';
import { startBrowserServer } from '../electron/server/browser-server';
import { createApiHandlers } from '../electron/services/api-handlers';
import { JobManager } from '../electron/services/jobs/job-manager';
import type { SocketEndpoint } from '../renderer/src/api/socket-url';
import { browserSocketEndpoint } from '../renderer/src/api/socket-url';
import type { SocketLike } from '../renderer/src/api/ws-client';
import { createWebSocketClient } from '../renderer/src/api/ws-client';
import { CondenseError } from '../shared/api/errors';
import type { JobEvent } from '../shared/api/jobs';

// The renderer's WebSocket client against the real browser-mode server and handlers (Node has no
// global WebSocket before 22: the `ws` package stands in for the browser's).
const openSocket = (url: string, protocols: string[]) =>
  new WebSocket(url, protocols) as unknown as SocketLike;

let root: string;
let jobs: JobManager;
let server: BrowserServer;
let endpoint: SocketEndpoint;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-clients-'));
  jobs = new JobManager();
  server = await startBrowserServer({
    handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'config') }),
    onJobEvent: (l) => jobs.onEvent(l),
    rendererDir: join(root, 'no-ui'),
  });
  endpoint = browserSocketEndpoint({
    protocol: 'http:',
    host: `127.0.0.1:${server.port}`,
    search: '',
    hash: `#token=${server.token}`,
  });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('renderer WebSocket client against the real server', () => {
  it('takes the token from the page URL, removes it from there, and offers it as a subprotocol', () => {
    expect(endpoint).toEqual({
      url: `ws://127.0.0.1:${server.port}/api`,
      protocols: ['condense', `condense.token.${server.token}`],
    });
    const stored = new Map<string, string>();
    const storage = {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => void stored.set(k, v),
    };
    const replaced: (string | undefined)[] = [];
    const history = {
      state: null,
      replaceState: (_d: unknown, _u: string, url?: string) => void replaced.push(url),
    };
    browserSocketEndpoint(
      { protocol: 'http:', host: 'h:1', pathname: '/', search: '?x=1', hash: '#token=abc' },
      storage,
      history,
    );
    // The address bar keeps everything but the token.
    expect(replaced).toEqual(['/?x=1']);
    browserSocketEndpoint(
      { protocol: 'http:', host: 'h:1', pathname: '/', search: '?token=old' },
      storage,
      history,
    );
    expect(replaced[1]).toBe('/');
    // A reload (no token in the URL any more) still finds it in this tab's sessionStorage.
    expect(
      browserSocketEndpoint({ protocol: 'http:', host: 'h:1', search: '' }, storage).protocols,
    ).toEqual(['condense', 'condense.token.old']);
    expect(() => browserSocketEndpoint({ protocol: 'http:', host: 'h:1', search: '' })).toThrow(
      /condense serve/,
    );
  });

  it('queues calls made while connecting, returns typed results and rebuilt errors', async () => {
    const client = createWebSocketClient(endpoint, openSocket);
    try {
      const [info, recent] = await Promise.all([
        client.call('app:info', {}),
        client.call('project:recent', {}),
      ]);
      expect(info.mode).toBe('browser');
      expect(recent).toEqual([]);
      const error = await client
        .call('project:open', { dir: join(root, 'missing') })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CondenseError);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      client.close();
    }
  });

  it('delivers job events to listeners and stops after unsubscribe', async () => {
    const client = createWebSocketClient(endpoint, openSocket);
    try {
      await client.call('app:info', {}); // connected
      const seen: JobEvent[] = [];
      const off = client.onJobEvent((e) => seen.push(e));
      const first = jobs.start('build', ({ emit }) => {
        emit('log', { text: 'hello' });
        return Promise.resolve(1);
      });
      await first.result;
      await expect.poll(() => seen.map((e) => e.kind)).toEqual(['log', 'done']);
      off();
      await jobs.start('build', () => Promise.resolve(2)).result;
      await client.call('jobs:list', {}); // a round trip after the second job's events
      expect(seen).toHaveLength(2);
      // A page that reconnects catches up on what it missed.
      const missed = await client.call('jobs:events', { jobId: first.jobId, afterSeq: 1 });
      expect(missed.map((e) => [e.seq, e.kind])).toEqual([[2, 'done']]);
      expect(await client.call('jobs:events', { jobId: 'unknown' })).toEqual([]);
      await expect(
        client.call('jobs:events', { jobId: first.jobId, afterSeq: -1 }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      client.close();
    }
  });

  it('fails pending calls when the connection drops, and refuses calls after close', async () => {
    // A silent server that drops the socket once a call arrives (an error path: a stand-in is fine).
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    silent.on('connection', (socket) => socket.once('message', () => socket.terminate()));
    await new Promise((resolve) => silent.once('listening', resolve));
    const { port } = silent.address() as AddressInfo;
    const client = createWebSocketClient(
      { url: `ws://127.0.0.1:${port}/api`, protocols: ['condense'] },
      openSocket,
    );
    try {
      await expect(client.call('jobs:list', {})).rejects.toMatchObject({
        code: 'CANCELLED',
        message: expect.stringContaining('condense serve') as unknown,
      });
      client.close();
      await expect(client.call('app:info', {})).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails calls with a wrong token instead of hanging', async () => {
    const wrong = { url: endpoint.url, protocols: ['condense', 'condense.token.wrong'] };
    const client = createWebSocketClient(wrong, (url, protocols) => {
      const socket = new WebSocket(url, protocols);
      socket.on('error', () => undefined); // the 401 surfaces as a close
      return socket;
    });
    await expect(client.call('app:info', {})).rejects.toMatchObject({ code: 'CANCELLED' });
    client.close();
  });
});
