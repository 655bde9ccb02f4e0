import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * rattler's WASM build fetches repodata itself on every solve and only takes http(s) URLs. This tiny
 * server on 127.0.0.1 hands it repodata that Condense already fetched and cached, so a lock costs no
 * second download and works offline. Only `repodata.json` is served; rattler's requests for shards,
 * `.zst` and `.bz2` get a 404 and it falls back to the plain file.
 */
export interface RepodataProxy {
  /** Channel URL to give rattler for channel number `index`. */
  channelUrl(index: number): string;
  /** Requests served so far (paths), for tests and progress. */
  requests: string[];
  close(): Promise<void>;
}

export async function startRepodataProxy(files: Map<string, Buffer>): Promise<RepodataProxy> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    requests.push(path);
    const body = files.get(path);
    if (!body) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    channelUrl: (index) => `http://127.0.0.1:${port}/c${index}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The proxy path of a channel's subdir repodata. */
export function proxyPath(index: number, subdir: string): string {
  return `/c${index}/${subdir}/repodata.json`;
}
