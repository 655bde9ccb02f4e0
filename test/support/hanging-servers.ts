import { rmSync } from 'node:fs';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/** A server on 127.0.0.1 (or a unix socket) for tests of deadlines and bad answers. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` (TCP) or the socket path. */
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function closer(server: Server, sockets: Set<Socket>, path?: string): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => {
        if (path) rmSync(path, { force: true });
        resolve();
      });
    });
}

function track(server: Server): Set<Socket> & { total: number } {
  const sockets = Object.assign(new Set<Socket>(), { total: 0 });
  server.on('connection', (socket) => {
    sockets.total++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * Accepts connections and never answers (reads and drops what it gets). On TCP by default; with
 * `socketPath`, on a unix socket: a Docker engine that hangs.
 */
export async function startSilentServer(socketPath?: string): Promise<TestServer> {
  const server = createServer((socket) => {
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  const sockets = track(server);
  await new Promise<void>((resolve) =>
    socketPath ? server.listen(socketPath, resolve) : server.listen(0, '127.0.0.1', resolve),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: socketPath ?? `http://127.0.0.1:${port}`,
    port,
    connections: () => sockets.total,
    close: closer(server, sockets, socketPath),
  };
}

/** An HTTP server whose answers `respond` writes by hand (short bodies, trickles, bad gzip). */
export async function startRawServer(
  respond: (path: string, response: ServerResponse) => void,
): Promise<TestServer & { paths: string[] }> {
  const paths: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((request, response) => {
    paths.push(request.url ?? '/');
    response.on('error', () => undefined);
    respond(request.url ?? '/', response);
  });
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = closer(server, sockets);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    paths,
    connections: () => sockets.total,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await close();
    },
  };
}

/** Sends headers, then one byte every `everyMs` for ever: idle deadlines never fire, a total one must. */
export function trickle(response: ServerResponse, everyMs = 20): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{');
  const timer = setInterval(() => {
    if (response.destroyed) clearInterval(timer);
    else response.write(' ');
  }, everyMs);
  response.on('close', () => clearInterval(timer));
}
