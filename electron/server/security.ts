import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The browser-mode page's policy. `connect-src` names ws://127.0.0.1 explicitly because some browsers
 * did not count ws: as 'self' before CSP 3.
 */
export const BROWSER_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self' ws://127.0.0.1:*; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Headers on every browser-mode response. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': BROWSER_CSP,
  'X-Content-Type-Options': 'nosniff',
  // The token travels in the page URL: never send it on in a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal, as timingSafeEqual requires. */
export function tokensEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected.length === given.length;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * DNS rebinding defence: a page on evil.example that re-resolves its name to 127.0.0.1 still sends
 * `Host: evil.example`. Only loopback names are accepted (any port: an SSH tunnel may forward
 * another local port to ours).
 */
export function isAllowedHost(host: string | undefined): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  return match !== null && LOOPBACK_NAMES.has(match[1]!);
}

/**
 * Cross-site requests and cross-site WebSocket hijacking: when a browser sends an Origin it must be the
 * page's own (`http://<Host>`). Clients that send none (curl, the CLI) still need the token.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host || !isAllowedHost(host)) return false;
  return origin.toLowerCase() === `http://${host.trim().toLowerCase()}`;
}

/** The subprotocol every browser-mode socket speaks; the server answers with it. */
export const API_PROTOCOL = 'condense';
/**
 * Browsers cannot set headers on a WebSocket handshake, but they do send the offered subprotocols
 * (`Sec-WebSocket-Protocol`): the page offers `condense` and `condense.token.<token>`. The server only
 * ever answers `condense`, so the token is not echoed back.
 */
export const TOKEN_PROTOCOL_PREFIX = 'condense.token.';

/**
 * The token of a request: `Authorization: Bearer <token>` (Node clients, scripts) or the
 * `condense.token.<token>` subprotocol (browsers). Never a cookie (browsers send cookies set by
 * 127.0.0.1:PORT to every other port of 127.0.0.1) and never the URL (it would reach logs and history).
 */
export function requestToken(headers: {
  authorization?: string | undefined;
  'sec-websocket-protocol'?: string | undefined;
}): string | undefined {
  const bearer = /^Bearer ([A-Za-z0-9_-]+)$/.exec(headers.authorization?.trim() ?? '');
  if (bearer) return bearer[1];
  for (const protocol of (headers['sec-websocket-protocol'] ?? '').split(',')) {
    const name = protocol.trim();
    if (name.startsWith(TOKEN_PROTOCOL_PREFIX)) return name.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}
