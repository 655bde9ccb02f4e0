import { readFile } from 'node:fs/promises';

import { resolveStaticPath } from '../services/static/static-files';
import { contentType } from '../services/static/static-files';
import { APP_HOST, APP_SCHEME } from './sender-check';

/** The policy of the Electron window: no WebSocket or remote hosts, IPC only. */
export const ELECTRON_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Registered before `app.ready`: a standard, secure scheme so the UI gets a real origin. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/** `app://condense/<path>` to a file in the built renderer, or undefined for anything else. */
export function appUrlToPath(rawUrl: string, rendererDir: string): string | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  return resolveStaticPath(rendererDir, url.pathname);
}

/** The `protocol.handle` callback: files of the built UI with the CSP, 404 for the rest. */
export function createAppProtocolHandler(rendererDir: string) {
  return async (request: Request): Promise<Response> => {
    const path = appUrlToPath(request.url, rendererDir);
    const headers = {
      'Content-Security-Policy': ELECTRON_CSP,
      'X-Content-Type-Options': 'nosniff',
    };
    if (!path) return new Response('Not found', { status: 404, headers });
    try {
      const body = await readFile(path);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': contentType(path) },
      });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  };
}
