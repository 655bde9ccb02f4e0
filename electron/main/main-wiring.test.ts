import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/*
 * The Electron binary cannot be installed here, so the main process's wiring is checked against a
 * recording stand-in for the `electron` module: what gets registered, with which options, and what
 * the registered callbacks decide. (e2e/electron.test.ts runs the real thing where a binary exists.)
 */
type Listener = (...args: unknown[]) => unknown;

const recorded = vi.hoisted(() => {
  const state = {
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, Listener>(),
    ipc: new Map<string, Listener>(),
    appEvents: new Map<string, Listener>(),
    windows: [] as { options: { webPreferences: Record<string, unknown> }; url?: string }[],
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    menu: undefined as unknown,
    readyResolve: undefined as (() => void) | undefined,
    dialogResult: { canceled: false, filePaths: ['/home/me/project'] },
  };
  return state;
});

vi.mock('electron', () => {
  const r = recorded;
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    webContents = { send: () => undefined, isDestroyed: () => false };
    entry: { options: { webPreferences: Record<string, unknown> }; url?: string };
    constructor(options: { webPreferences: Record<string, unknown> }) {
      this.entry = { options };
      r.windows.push(this.entry);
      BrowserWindow.all.push(this);
    }
    static getAllWindows = () => BrowserWindow.all;
    static getFocusedWindow = () => BrowserWindow.all[0];
    once() {}
    show() {}
    loadURL(url: string) {
      this.entry.url = url;
      return Promise.resolve();
    }
  }
  const app = {
    isPackaged: false,
    getAppPath: () => process.cwd(),
    requestSingleInstanceLock: () => true,
    on: (event: string, listener: Listener) => r.appEvents.set(event, listener),
    whenReady: () => new Promise<void>((resolve) => (r.readyResolve = resolve)),
    quit: () => undefined,
  };
  const electron = {
    app,
    BrowserWindow,
    dialog: { showOpenDialog: () => Promise.resolve(r.dialogResult) },
    ipcMain: {
      handle: (channel: string, listener: Listener) => r.ipc.set(channel, listener),
      removeHandler: (channel: string) => r.ipc.delete(channel),
    },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => (r.menu = menu),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => r.schemes.push(...schemes),
      handle: (scheme: string, handler: Listener) => r.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Listener) => (r.permissionRequest = h),
        setPermissionCheckHandler: (h: Listener) => (r.permissionCheck = h),
      },
    },
    shell: { openExternal: () => Promise.resolve() },
  };
  return { ...electron, default: electron };
});

let config: string;

beforeAll(async () => {
  config = await mkdtemp(join(tmpdir(), 'condense-main-'));
  process.env.CONDENSE_CONFIG_DIR = config;
  await import('./index');
  recorded.readyResolve?.();
  await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 30_000 });
});

afterAll(async () => {
  delete process.env.CONDENSE_CONFIG_DIR;
  await rm(config, { recursive: true, force: true });
});

const trusted = { senderFrame: { url: 'app://condense/index.html', parent: null } };

describe('Electron main wiring', () => {
  it('registers app:// as a standard, secure scheme and serves it', () => {
    expect(recorded.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }) as unknown,
      }),
    ]);
    expect(recorded.protocolHandlers.has('app')).toBe(true);
  });

  it('opens one sandboxed, isolated window on app://condense/', () => {
    const [window] = recorded.windows;
    expect(window!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(String(window!.options.webPreferences.preload)).toMatch(/out\/preload\/index\.cjs$/);
    expect(window!.url).toBe('app://condense/index.html');
    expect(recorded.menu).toBeDefined();
  });

  it('denies every permission request and check', () => {
    let granted: boolean | undefined;
    recorded.permissionRequest!({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(recorded.permissionCheck!({}, 'notifications')).toBe(false);
  });

  it('hardens every web contents: no new windows, no navigation away, no webviews', () => {
    const handlers = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    const contents = {
      setWindowOpenHandler: (h: Listener) => (openHandler = h),
      on: (event: string, h: Listener) => handlers.set(event, h),
    };
    recorded.appEvents.get('web-contents-created')!({}, contents);
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://docs.conda.io/x' })).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      let prevented = false;
      handlers.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://condense/index.html')).toBe(false);
    let webview = false;
    handlers.get('will-attach-webview')!({ preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
  });

  it('answers the contract on condense:* channels with the sender check and the native picker', async () => {
    expect(recorded.ipc.has('condense:project:create')).toBe(true);
    const info = (await recorded.ipc.get('condense:app:info')!(trusted, {}));
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron' } });
    const picked = (await recorded.ipc.get('condense:dialog:pickFolder')!(trusted, {}));
    expect(picked).toEqual({ ok: true, value: { dir: '/home/me/project' } });
    const refused = (await recorded.ipc.get('condense:app:info')!(
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      {},
    ));
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });
});
