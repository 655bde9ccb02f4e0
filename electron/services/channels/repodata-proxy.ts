/**
 * rattler's WASM build fetches repodata itself on every solve and only takes http(s) URLs. The proxy
 * hands it repodata that Condense already fetched and cached, so a lock costs no second download
 * and works offline. It answers in-process: while a proxy is open, the global `fetch` (which
 * rattler's glue calls) serves URLs under the proxy's own prefix from memory and passes every
 * other request on unchanged. No socket, no HTTP parsing: a solve's repodata costs a copy. Only
 * `repodata.json` is served; rattler's requests for shards, `.zst` and `.bz2` get a 404 and it
 * falls back to the plain file.
 */
export interface RepodataProxy {
  /** Channel URL to give rattler for channel number `index`. */
  channelUrl(index: number): string;
  /** Requests served so far (paths), for tests and progress. */
  requests: string[];
  close(): Promise<void>;
}

type Fetch = typeof globalThis.fetch;

/** Open proxies by URL prefix (`http://127.0.0.1:9/solve-<n>`: never reached over the network). */
const open = new Map<string, { files: Map<string, Buffer>; requests: string[] }>();
let next = 0;
/** The wrapper installed while proxies are open, and the `fetch` it wraps. */
let installed: { wrapper: Fetch; inner: Fetch } | undefined;

function serve(url: string, method: string): Response | undefined {
  // `<prefix>/c<index>/<subdir>/<file>`: the prefix is everything before `/c<index>/`.
  const match = /^(http:\/\/127\.0\.0\.1:9\/solve-\d+)(\/[^?#]*)/.exec(url);
  const proxy = match ? open.get(match[1]!) : undefined;
  if (!proxy) return undefined;
  const path = match![2]!;
  proxy.requests.push(path);
  const body = proxy.files.get(path);
  if (!body)
    return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(method === 'HEAD' ? null : body, {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
  });
}

function install(): void {
  if (installed && globalThis.fetch === installed.wrapper) return;
  // Whatever `fetch` is now (a test may have stubbed it) serves every other request.
  const inner = globalThis.fetch;
  const wrapper: Fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const answer = serve(url, method.toUpperCase());
    if (!answer) return inner(input, init);
    // rattler reads the response's URL (a constructed Response has none).
    Object.defineProperty(answer, 'url', { value: url });
    return Promise.resolve(answer);
  };
  installed = { wrapper, inner };
  globalThis.fetch = wrapper;
}

export function startRepodataProxy(files: Map<string, Buffer>): Promise<RepodataProxy> {
  const requests: string[] = [];
  const prefix = `http://127.0.0.1:9/solve-${next++}`;
  open.set(prefix, { files, requests });
  install();
  return Promise.resolve({
    channelUrl: (index) => `${prefix}/c${index}`,
    requests,
    close: () => {
      open.delete(prefix);
      if (open.size === 0 && installed) {
        if (globalThis.fetch === installed.wrapper) globalThis.fetch = installed.inner;
        installed = undefined;
      }
      return Promise.resolve();
    },
  });
}

/** The proxy path of a channel's subdir repodata. */
export function proxyPath(index: number, subdir: string): string {
  return `/c${index}/${subdir}/repodata.json`;
}
