import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';

import type { ApiHandlers } from '../../shared/api/contract';
import { CondenseError } from '../../shared/api/errors';
import type { JobEvent } from '../../shared/api/jobs';
import { serveTransport } from '../../shared/api/rpc';
import { NOT_BUILT_PAGE, readStatic, resolveStaticPath } from '../services/static/static-files';
import {
  API_PROTOCOL,
  generateToken,
  isAllowedHost,
  isAllowedOrigin,
  requestToken,
  SECURITY_HEADERS,
  tokensEqual,
} from './security';
import { MAX_MESSAGE_BYTES, socketTransport } from './ws-transport';

export const SOCKET_PATH = '/api';

export interface BrowserServerOptions {
  handlers: ApiHandlers;
  /** Job events of the shared JobManager, pushed to every connected page. */
  onJobEvent: (listener: (event: JobEvent) => void) => () => void;
  /** The built renderer (`out/renderer`). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Tests pass a fixed token; otherwise a random one. */
  token?: string;
}

export interface BrowserServer {
  /** The URL to open, the token in its fragment (never sent to a server, so never in a log). */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

type Verdict = { ok: true } | { ok: false; status: number; text: string };

const NO_TOKEN =
  'Missing or wrong token. Open the full URL that `condense serve` printed (it ends with #token=...); scripts send `Authorization: Bearer <token>`.';

/**
 * Browser mode: the built UI and the contract over a WebSocket, on 127.0.0.1 only. The page and its
 * assets are public (they are the app's own bundle and carry no data); every API call needs the token,
 * which the page reads from the URL fragment and offers as a WebSocket subprotocol.
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? generateToken();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Answer only the plain protocol name, never the one carrying the token.
    handleProtocols: (offered) => (offered.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });

  const checkSite = (request: IncomingMessage): Verdict => {
    const host = request.headers.host;
    if (!isAllowedHost(host)) {
      return { ok: false, status: 421, text: 'Condense answers only on 127.0.0.1 or localhost.' };
    }
    if (!isAllowedOrigin(request.headers.origin, host)) {
      return { ok: false, status: 403, text: 'Requests from other sites are refused.' };
    }
    return { ok: true };
  };

  const checkApi = (request: IncomingMessage): Verdict => {
    const site = checkSite(request);
    if (!site.ok) return site;
    if (!tokensEqual(token, requestToken(request.headers))) {
      return { ok: false, status: 401, text: NO_TOKEN };
    }
    return { ok: true };
  };

  const serveHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname === SOCKET_PATH || url.pathname.startsWith(`${SOCKET_PATH}/`);
    const verdict = isApi ? checkApi(request) : checkSite(request);
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (!verdict.ok) {
      response.writeHead(verdict.status, {
        ...headers,
        'Content-Type': 'text/plain; charset=utf-8',
      });
      response.end(`${verdict.text}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (isApi) {
      response.writeHead(426, { ...headers, Upgrade: 'websocket', 'Content-Type': 'text/plain' });
      response.end('The API is a WebSocket at /api.\n');
      return;
    }
    const path = resolveStaticPath(options.rendererDir, url.pathname);
    if (url.pathname === '/favicon.ico' && !(path && (await readStatic(path)))) {
      // Browsers ask for it on their own; no icon is not an error worth a console line.
      response.writeHead(204, headers);
      response.end();
      return;
    }
    const file = path ? await readStatic(path) : undefined;
    if (!file) {
      const isIndex = path === join(options.rendererDir, 'index.html');
      response.writeHead(isIndex ? 503 : 404, {
        ...headers,
        'Content-Type': isIndex ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
      });
      response.end(isIndex ? NOT_BUILT_PAGE : 'Not found.\n');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': file.type,
      'Content-Length': String(file.body.length),
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  };

  const server = createServer((request, response) => {
    serveHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, SECURITY_HEADERS);
      response.end(`Internal error: ${(error as Error).message}\n`);
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const verdict =
      url.pathname === SOCKET_PATH
        ? checkApi(request)
        : ({ ok: false, status: 404, text: 'No WebSocket here.' } as const);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} Refused\r\nConnection: close\r\n\r\n${verdict.text}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const served = serveTransport(socketTransport(ws), options.handlers);
      const unsubscribe = options.onJobEvent((event) => served.emit(event));
      ws.on('close', () => {
        unsubscribe();
        served.stop();
      });
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CondenseError(
              'CONFLICT',
              `Port ${options.port} on 127.0.0.1 is in use: choose another with --port, or --port 0 for a free one.`,
            )
          : error,
      );
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
