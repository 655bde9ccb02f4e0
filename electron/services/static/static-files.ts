import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path to a file inside `root`, or undefined when it would leave it (`..`, encoded
 * separators, NUL). Paths without an extension are app routes and get index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded.split('/').includes('..')) return undefined;
  const relative = decoded === '/' || extname(decoded) === '' ? '/index.html' : decoded;
  const path = normalize(join(root, relative));
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return path.startsWith(base) ? path : undefined;
}

/** Placeholder when the renderer was not built, so the server still says what to do. */
export const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Condense</title></head>
<body><h1>Condense</h1><p>The user interface is not built yet. Run <code>npm run build</code> in the Condense folder, then reload this page.</p></body></html>`;

export async function readStatic(
  path: string,
): Promise<{ body: Buffer; type: string } | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return { body: await readFile(path), type: contentType(path) };
  } catch {
    return undefined;
  }
}
