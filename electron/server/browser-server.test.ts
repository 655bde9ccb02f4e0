import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { CondenseError } from '../../shared/api/errors';
import type { JobEvent } from '../../shared/api/jobs';
import type { Transport, WireMessage } from '../../shared/api/rpc';
import { createTransportClient } from '../../shared/api/rpc';
import { createApiHandlers } from '../services/api-handlers';
import { JobManager } from '../services/jobs/job-manager';
import { resolveStaticPath } from '../services/static/static-files';
import type { BrowserServer } from './browser-server';
import { startBrowserServer } from './browser-server';
import { BROWSER_CSP, isAllowedHost, isAllowedOrigin, tokensEqual } from './security';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, because fetch may not set Host or Origin. */
function get(server: BrowserServer, path: string, headers: Record<string, string> = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, headers, method: 'GET' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, headers: Record<string, string> = {}) {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`refused with ${res.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

function wsTransport(socket: WebSocket): Transport {
  return {
    send: (message) => socket.send(JSON.stringify(message)),
    onMessage(listener) {
      const on = (data: Buffer) => listener(JSON.parse(data.toString('utf8')) as WireMessage);
      socket.on('message', on);
      return () => socket.off('message', on);
    },
  };
}

let root: string;
let rendererDir: string;
let jobs: JobManager;
let server: BrowserServer;
let ws: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-server-'));
  rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Condense UI</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("ui")');
  await writeFile(join(root, 'secret.txt'), 'do not serve');
  jobs = new JobManager();
  server = await startBrowserServer({
    handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'config') }),
    onJobEvent: (l) => jobs.onEvent(l),
    rendererDir,
    port: 0,
  });
  ws = `ws://127.0.0.1:${server.port}/api`;
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('HTTP', () => {
  it('listens on 127.0.0.1 with a random port and the token in the URL fragment', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('serves the page and its assets without the token, never setting a cookie', async () => {
    const page = await get(server, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Condense UI');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['content-security-policy']).toBe(BROWSER_CSP);
    expect(BROWSER_CSP).toContain("default-src 'self'; script-src 'self'");
    expect(BROWSER_CSP).toContain('connect-src');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await get(server, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.body).toBe('console.log("ui")');
    expect(asset.headers['set-cookie']).toBeUndefined();
    // App routes without an extension get index.html.
    expect((await get(server, '/projects')).body).toContain('Condense UI');
  });

  it('requires the token as a header on the API path, and ignores it in the URL', async () => {
    expect((await get(server, '/api')).status).toBe(401);
    expect((await get(server, `/api?token=${server.token}`)).status).toBe(401);
    const denied = await get(server, '/api', { Authorization: `Bearer ${server.token}x` });
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('#token=');
    const upgrade = await get(server, '/api', { Authorization: `Bearer ${server.token}` });
    expect(upgrade.status).toBe(426);
  });

  it('refuses foreign Host (DNS rebinding) and Origin headers even with the token', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    expect((await get(server, '/', { Host: `evil.example:${server.port}` })).status).toBe(421);
    expect(
      (await get(server, '/api', { ...auth, Host: `evil.example:${server.port}` })).status,
    ).toBe(421);
    expect((await get(server, '/', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server, '/api', { ...auth, Origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await get(server, '/', { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(
      200,
    );
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await get(server, path);
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain('do not serve');
    }
  });
});

describe('WebSocket', () => {
  it('refuses sockets without the token or from another origin', async () => {
    const bearer = { Authorization: `Bearer ${server.token}` };
    await expect(openSocket(ws)).rejects.toThrow('401');
    // A token in the URL is not accepted: it would end up in logs and history.
    await expect(openSocket(`${ws}?token=${server.token}`)).rejects.toThrow('401');
    await expect(openSocket(ws, { Authorization: 'Bearer nope' })).rejects.toThrow('401');
    await expect(openSocket(ws, { ...bearer, Origin: 'http://evil.example' })).rejects.toThrow(
      '403',
    );
    await expect(openSocket(ws, { ...bearer, Host: 'attacker.test' })).rejects.toThrow('421');
  });

  it('takes the token as a subprotocol (what browsers can send) and answers only `condense`', async () => {
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(ws, ['condense', `condense.token.${server.token}`]);
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    expect(socket.protocol).toBe('condense');
    const client = createTransportClient(wsTransport(socket));
    expect(await client.call('app:info', {})).toMatchObject({ mode: 'browser' });
    client.close();
    socket.close();
    const wrong = new WebSocket(ws, ['condense', 'condense.token.wrong']);
    await expect(
      new Promise((resolve, reject) => {
        wrong.once('open', resolve);
        wrong.once('unexpected-response', (_q, res) => reject(new Error(String(res.statusCode))));
        wrong.once('error', reject);
      }),
    ).rejects.toThrow('401');
  });

  it('serves the real contract: app info, project creation, typed errors, job events', async () => {
    const socket = await openSocket(ws, {
      Authorization: `Bearer ${server.token}`,
      Origin: `http://127.0.0.1:${server.port}`,
    });
    const client = createTransportClient(wsTransport(socket));
    try {
      expect(await client.call('app:info', {})).toMatchObject({
        name: 'Condense',
        mode: 'browser',
      });

      const dir = join(root, 'projects', 'demo');
      const info = await client.call('project:create', { dir });
      expect(info.created).toEqual(['environment.yml', 'condense.yml']);
      expect((await stat(join(dir, 'environment.yml'))).isFile()).toBe(true);
      expect(await client.call('project:recent', {})).toMatchObject([{ dir, missing: false }]);

      const error = await client.call('project:create', { dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CondenseError);
      expect(error).toMatchObject({ code: 'ALREADY_EXISTS' });
      await expect(client.call('dialog:pickFolder', {})).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining('type the folder path') as unknown,
      });

      const events: JobEvent[] = [];
      client.onJobEvent((e) => events.push(e));
      const { jobId, result } = jobs.start('lock', ({ emit }) => {
        emit('progress', { message: 'solving' });
        return Promise.resolve('ok');
      });
      await result;
      await expect.poll(() => events.map((e) => e.kind)).toEqual(['progress', 'done']);
      expect(events[0]).toMatchObject({ jobId, job: 'lock', seq: 1 });
      expect(await client.call('jobs:list', {})).toMatchObject([{ jobId, state: 'succeeded' }]);
    } finally {
      client.close();
      socket.close();
    }
  });

  it('answers every malformed frame with INVALID_INPUT', async () => {
    const socket = await openSocket(ws, { Authorization: `Bearer ${server.token}` });
    const replies: WireMessage[] = [];
    socket.on('message', (d: Buffer) => replies.push(JSON.parse(d.toString()) as WireMessage));
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'call', id: 7, method: '../../etc', request: {} }));
    socket.send(JSON.stringify({ type: 'call', id: 8, method: 'app:info', request: [1] }));
    socket.send(JSON.stringify({ type: 'call', id: 9, method: 'nope:nothing', request: {} }));
    socket.send(
      JSON.stringify({ type: 'call', id: 10, method: 'jobs:events', request: { jobId: 5 } }),
    );
    socket.send(Buffer.from([1, 2, 3]));
    socket.send('null');
    await expect.poll(() => replies.length).toBe(7);
    const summary = replies.map((r) =>
      r.type === 'result' ? [r.id, r.envelope.ok || r.envelope.error.code] : [r.type],
    );
    // Order: results of calls settle asynchronously, frame errors answer at once.
    expect(summary).toEqual(
      expect.arrayContaining([
        ['error'],
        [7, 'INVALID_INPUT'],
        [8, 'INVALID_INPUT'],
        [9, 'NOT_FOUND'],
        [10, 'INVALID_INPUT'],
      ]),
    );
    expect(summary.filter((s) => s[0] === 'error')).toHaveLength(3);
    const typed = replies.find((r) => r.type === 'result' && r.id === 10);
    expect(JSON.stringify(typed)).toContain('jobId');
    socket.close();
  });
});

describe('startup', () => {
  it('says how to pick another port when the port is taken', async () => {
    await expect(
      startBrowserServer({
        handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'c2') }),
        onJobEvent: () => () => undefined,
        rendererDir,
        port: server.port,
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('--port 0') as unknown,
    });
  });

  it('explains an unbuilt UI instead of a blank 404', async () => {
    const other = await startBrowserServer({
      handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'c3') }),
      onJobEvent: () => () => undefined,
      rendererDir: join(root, 'missing'),
    });
    try {
      const reply = await get(other, '/');
      expect(reply.status).toBe(503);
      expect(reply.body).toContain('npm run build');
    } finally {
      await other.close();
    }
  });
});

describe('security helpers', () => {
  it('accepts only loopback hosts and same-origin Origins', () => {
    expect(isAllowedHost('127.0.0.1:8080')).toBe(true);
    expect(isAllowedHost('localhost:1')).toBe(true);
    expect(isAllowedHost('[::1]:9')).toBe(true);
    expect(isAllowedHost('127.0.0.1.evil.example:80')).toBe(false);
    expect(isAllowedHost('evil.example')).toBe(false);
    expect(isAllowedHost(undefined)).toBe(false);
    expect(isAllowedOrigin(undefined, '127.0.0.1:5')).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:5', '127.0.0.1:5')).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:6', '127.0.0.1:5')).toBe(false);
    expect(isAllowedOrigin('null', '127.0.0.1:5')).toBe(false);
    expect(isAllowedOrigin('http://evil.example', 'evil.example')).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('abc', '')).toBe(false);
    expect(tokensEqual('abc', undefined)).toBe(false);
  });

  it('confines static paths to the root', () => {
    expect(resolveStaticPath('/r', '/')).toBe('/r/index.html');
    expect(resolveStaticPath('/r', '/a/b.js')).toBe('/r/a/b.js');
    expect(resolveStaticPath('/r', '/%2e%2e/x.txt')).toBeUndefined();
    expect(resolveStaticPath('/r', '/..%5cx.txt')).toBeUndefined();
    expect(resolveStaticPath('/r', '/%E0%A4%A')).toBeUndefined();
  });
});
