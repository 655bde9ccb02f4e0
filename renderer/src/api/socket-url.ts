import { CondenseError } from '../../../shared/api/errors';

/** Where the browser-mode API lives on the serving origin. */
export const SOCKET_PATH = '/api';
const TOKEN_KEY = 'condense.token';

/** The parts of `window.location` and `sessionStorage` used here (structural, so Node tests can call it). */
export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The WebSocket URL for browser mode: same host as the page, token from the page URL's `?token=`
 * (remembered in sessionStorage so an in-app navigation that drops the query still connects).
 */
export function browserSocketUrl(location: PageLocation, storage?: TokenStorage): string {
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
