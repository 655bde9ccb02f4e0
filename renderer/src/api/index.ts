import type { CondenseBridge } from '../../../shared/api/bridge';
import type { ApiClient } from '../../../shared/api/contract';
import { createIpcClient } from './ipc-client';
import { browserSocketEndpoint } from './socket-url';
import { createWebSocketClient } from './ws-client';

export { createIpcClient } from './ipc-client';
export type { PageHistory, PageLocation, SocketEndpoint, TokenStorage } from './socket-url';
export { browserSocketEndpoint, SOCKET_PATH } from './socket-url';
export type { SocketFactory, SocketLike, WebSocketClient } from './ws-client';
export { createWebSocketClient } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    condense?: CondenseBridge;
  }
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
    // Storage can be disabled by browser policy; the URL token still works until a reload.
  }
  return createWebSocketClient(browserSocketEndpoint(win.location, storage, win.history));
}
