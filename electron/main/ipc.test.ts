import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiHandlers } from '../services/api-handlers';
import { JobManager } from '../services/jobs/job-manager';
import { appUrlToPath, createAppProtocolHandler, ELECTRON_CSP } from './app-protocol';
import type { InvokeEvent, IpcRegistry } from './ipc';
import { registerIpcHandlers } from './ipc';
import { menuTemplate } from './menu';
import { APP_ORIGIN, isPlainRequest, isTrustedSender } from './sender-check';

describe('isTrustedSender', () => {
  it('accepts only the main frame of our own app:// origin', () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: `${APP_ORIGIN}/deep/route?x=1#y`, isMainFrame: true })).toBe(
      true,
    );
  });

  it.each([
    ['an iframe of our own page', { url: `${APP_ORIGIN}/index.html`, isMainFrame: false }],
    ['another scheme', { url: 'https://condense/index.html', isMainFrame: true }],
    ['file://', { url: 'file:///opt/condense/index.html', isMainFrame: true }],
    ['a lookalike host', { url: 'app://condense.evil/index.html', isMainFrame: true }],
    ['credentials in the URL', { url: 'app://x@condense/index.html', isMainFrame: true }],
    ['a page that navigated away', { url: 'https://evil.example/', isMainFrame: true }],
    ['an unparsable URL', { url: 'not a url', isMainFrame: true }],
    ['about:blank', { url: 'about:blank', isMainFrame: true }],
    ['a destroyed frame', null],
  ])('refuses %s', (_what, frame) => {
    expect(isTrustedSender(frame)).toBe(false);
  });

  it('checks request payloads are plain objects', () => {
    expect(isPlainRequest(undefined)).toBe(true);
    expect(isPlainRequest({ dir: '/x' })).toBe(true);
    expect(isPlainRequest(Object.create(null))).toBe(true);
    expect(isPlainRequest(null)).toBe(false);
    expect(isPlainRequest('x')).toBe(false);
    expect(isPlainRequest([1])).toBe(false);
    expect(isPlainRequest(new Date())).toBe(false);
  });
});

describe('IPC registration over the real handlers', () => {
  let root: string;
  const registered = new Map<string, (event: InvokeEvent, request: unknown) => unknown>();
  const registry: IpcRegistry = {
    handle: (channel, listener) => registered.set(channel, listener),
    removeHandler: (channel) => registered.delete(channel),
  };
  const ours: InvokeEvent = { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } };
  let unregister: () => void;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'condense-ipc-'));
    const handlers = createApiHandlers({
      jobs: new JobManager(),
      mode: 'electron',
      configDir: join(root, 'config'),
      pickFolder: () => Promise.resolve({ dir: '/picked' }),
    });
    unregister = registerIpcHandlers(registry, handlers);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const call = (channel: string, event: InvokeEvent, request: unknown) => {
    const listener = registered.get(channel);
    if (!listener) throw new Error(`${channel} is not registered`);
    return listener(event, request);
  };

  it('registers one condense:<method> channel per contract method', () => {
    expect(registered.has('condense:app:info')).toBe(true);
    expect(registered.has('condense:project:create')).toBe(true);
    expect(registered.has('condense:dialog:pickFolder')).toBe(true);
    expect([...registered.keys()].every((c) => /^condense:[a-z]+:[a-zA-Z]+$/.test(c))).toBe(true);
  });

  it('answers our main frame with envelopes from the real services', async () => {
    await expect(call('condense:app:info', ours, {})).resolves.toMatchObject({
      ok: true,
      value: { mode: 'electron' },
    });
    const dir = join(root, 'p');
    await expect(call('condense:project:create', ours, { dir })).resolves.toMatchObject({
      ok: true,
      value: { dir, created: ['environment.yml', 'condense.yml'] },
    });
    await expect(call('condense:project:create', ours, { dir })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ALREADY_EXISTS' },
    });
    await expect(call('condense:dialog:pickFolder', ours, {})).resolves.toEqual({
      ok: true,
      value: { dir: '/picked' },
    });
  });

  it('refuses iframes, foreign pages and non-object payloads without running the handler', async () => {
    const dir = join(root, 'never');
    const iframe: InvokeEvent = { senderFrame: { url: `${APP_ORIGIN}/`, parent: {} } };
    const foreign: InvokeEvent = { senderFrame: { url: 'https://evil.example/', parent: null } };
    for (const event of [iframe, foreign, { senderFrame: null }]) {
      await expect(call('condense:project:create', event, { dir })).resolves.toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });
    }
    await expect(call('condense:project:create', ours, [dir])).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(existsSync(dir)).toBe(false);
  });

  it('removes every channel it registered', () => {
    unregister();
    expect(registered.size).toBe(0);
  });
});

describe('app:// protocol', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'condense-protocol-'));
    await mkdir(join(dir, 'ui', 'assets'), { recursive: true });
    await writeFile(join(dir, 'ui', 'index.html'), '<title>ui</title>');
    await writeFile(join(dir, 'ui', 'assets', 'a.js'), 'x');
    await writeFile(join(dir, 'secret'), 'secret');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('maps only app://condense/ paths inside the renderer folder', () => {
    const ui = join(dir, 'ui');
    expect(appUrlToPath('app://condense/index.html', ui)).toBe(join(ui, 'index.html'));
    expect(appUrlToPath('app://condense/', ui)).toBe(join(ui, 'index.html'));
    expect(appUrlToPath('app://other/index.html', ui)).toBeUndefined();
    expect(appUrlToPath('file:///etc/passwd', ui)).toBeUndefined();
    // The URL parser resolves dot segments (encoded or not) before we see the path: it stays inside.
    expect(appUrlToPath('app://condense/%2e%2e/secret', ui)).toBe(join(ui, 'index.html'));
    expect(appUrlToPath('app://condense/assets/..%2F..%2Fsecret.txt', ui)).toBeUndefined();
  });

  it('serves files with the CSP and refuses the rest', async () => {
    const handler = createAppProtocolHandler(join(dir, 'ui'));
    const ok = await handler(new Request('app://condense/assets/a.js'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('javascript');
    expect(ok.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    expect(ELECTRON_CSP).toContain("script-src 'self'");
    expect(await ok.text()).toBe('x');
    const escape = await handler(new Request('app://condense/assets/..%2F..%2Fsecret.txt'));
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('secret');
    const missing = await handler(new Request('app://condense/assets/none.js'));
    expect(missing.status).toBe(404);
  });
});

describe('menu', () => {
  it('hides developer tools in a packaged app', () => {
    const text = (packaged: boolean) => JSON.stringify(menuTemplate('linux', packaged));
    expect(text(false)).toContain('toggleDevTools');
    expect(text(true)).not.toContain('toggleDevTools');
    expect(JSON.stringify(menuTemplate('darwin', true))).toContain('appMenu');
  });
});
