import { CondenseError } from '../../../shared/api/errors';

/** Where the browser-mode API lives on the serving origin. */
export const SOCKET_PATH = '/api';
/** The subprotocol the server answers with (see `electron/server/security.ts`). */
export const API_PROTOCOL = 'condense';
const TOKEN_PROTOCOL_PREFIX = 'condense.token.';
const TOKEN_KEY = 'condense.token';

/** The parts of `window.location`, `history` and `sessionStorage` used here (structural, for Node tests). */
export interface PageLocation {
  protocol: string;
  host: string;
  pathname?: string;
  search: string;
  hash?: string;
}
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
export interface PageHistory {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string): void;
}

/** Where and how to open the API socket: the token travels as a subprotocol, never in the URL. */
export interface SocketEndpoint {
  url: string;
  protocols: string[];
}

/** `#token=X` (what `condense serve` prints) or the older `?token=X`. */
function tokenInUrl(location: PageLocation): { token?: string; rest: string } {
  const search = new URLSearchParams(location.search);
  const hash = new URLSearchParams((location.hash ?? '').replace(/^#/, ''));
  const token = hash.get('token') ?? search.get('token') ?? undefined;
  search.delete('token');
  hash.delete('token');
  const query = search.toString();
  const fragment = hash.toString();
  return {
    token: token || undefined,
    rest: `${location.pathname ?? '/'}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`,
  };
}

/**
 * The browser-mode socket for this page. The token comes from the printed URL, which is then
 * rewritten without it (`history.replaceState`), so it leaves the address bar and the history. It is
 * kept in sessionStorage, which is scoped to this origin (port included, unlike cookies), this tab,
 * and never sent anywhere by the browser: a reload still connects, a closed tab forgets it.
 */
export function browserSocketEndpoint(
  location: PageLocation,
  storage?: TokenStorage,
  history?: PageHistory,
): SocketEndpoint {
  const { token: fromUrl, rest } = tokenInUrl(location);
  if (fromUrl) {
    storage?.setItem(TOKEN_KEY, fromUrl);
    history?.replaceState(history.state, '', rest);
  }
  const token = fromUrl ?? storage?.getItem(TOKEN_KEY);
  if (!token || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new CondenseError(
      'UNAUTHORIZED',
      'This page has no access token. Open the full URL that `condense serve` printed (it ends with #token=...).',
    );
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    url: `${scheme}//${location.host}${SOCKET_PATH}`,
    protocols: [API_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
  };
}
