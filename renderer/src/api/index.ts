import type { CondenseBridge } from '../../../shared/api/bridge';
import type { ApiClient } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import { createIpcClient } from './ipc-client';
import { createWebSocketClient } from './ws-client';

export { createIpcClient } from './ipc-client';
export type { SocketFactory, SocketLike, WebSocketClient } from './ws-client';
export { createWebSocketClient } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    condense?: CondenseBridge;
  }
}

/** Where the browser-mode API lives on the serving origin. */
export const SOCKET_PATH = '/api';
const TOKEN_KEY = 'condense.token';

/**
 * The WebSocket URL for browser mode: same host as the page, token from the page URL's `?token=`
 * (remembered in sessionStorage so an in-app navigation that drops the query still connects).
 */
export function browserSocketUrl(
  location: Pick<Location, 'protocol' | 'host' | 'search'>,
  storage?: Pick<Storage, 'getItem' | 'setItem'>,
): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) storage?.setItem(TOKEN_KEY, fromUrl);
  const token = fromUrl ?? storage?.getItem(TOKEN_KEY);
  if (!token) {
    throw new CondenseError(
      'UNAUTHORIZED',
      'This page has no access token. Open the full URL that `condense serve` printed (it ends with ?token=...).',
    );
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * The one way the UI gets its API: the preload bridge inside Electron, else a WebSocket to the origin
 * that served the page (browser mode).
 */
export function createApiClient(win: Window = window): ApiClient {
  if (win.condense) return createIpcClient(win.condense);
  let storage: Storage | undefined;
  try {
    storage = win.sessionStorage;
  } catch {
    // Storage can be disabled by browser policy; the URL token alone still works.
  }
  return createWebSocketClient(browserSocketUrl(win.location, storage));
}
