import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { RepodataCache } from '../../electron/services/channels/repodata-cache';
import { lockProject } from '../../electron/services/lock/lock-service';

/**
 * A tiny service project on the realistic channel: python 3.11 with pip and setuptools, and an own
 * package `svc` whose console script `svc-serve` serves HTTP with the standard library. `--mode`
 * picks how it behaves, so one environment install covers every case of the service check:
 * `ok` answers 200 with the text of /app/model.txt (a `files:` entry), `fail` answers 500, `silent`
 * never opens its port, `crash` exits at once with a message.
 */
export const SERVICE_SOURCES: Record<string, string> = {
  'svc/pyproject.toml': [
    '[build-system]',
    'requires = ["setuptools"]',
    'build-backend = "setuptools.build_meta"',
    '[project]',
    'name = "svc"',
    'version = "0.1.0"',
    '[project.scripts]',
    'svc-serve = "svc.server:main"',
    '',
  ].join('\n'),
  'svc/svc/__init__.py': '',
  'svc/svc/server.py': `import argparse
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    mode = "ok"

    def do_GET(self):
        if self.mode == "fail":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model not loaded")
            return
        with open("/app/model.txt", "rb") as f:
            body = b"ok " + f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.mode == "crash":
        print("svc: cannot load the model", file=sys.stderr, flush=True)
        sys.exit(3)
    if args.mode == "silent":
        print("svc: warming up forever", flush=True)
        time.sleep(3600)
    Handler.mode = args.mode
    http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Handler).serve_forever()
`,
  'model.txt': 'model-v1',
};

/** A port nobody listens on now (the check binds it on the host network). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Writes the sources and environment.yml, and locks them with the built-in solver. */
export async function createServiceProject(
  projectDir: string,
  channelUrl: string,
  cacheRoot: string,
): Promise<void> {
  await writeProjectFiles(projectDir, SERVICE_SOURCES);
  await writeAndLockEnvironment(projectDir, 'svc', channelUrl, cacheRoot, [
    'python 3.11.*',
    'pip',
    'setuptools',
  ]);
}

/** Writes files (text or bytes) by project-relative path, making their folders. */
export async function writeProjectFiles(
  projectDir: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  await mkdir(projectDir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(projectDir, path, '..'), { recursive: true });
    await writeFile(join(projectDir, path), content);
  }
}

/** environment.yml on one served channel (no defaults), locked for linux-64 with the built-in solver. */
export async function writeAndLockEnvironment(
  projectDir: string,
  name: string,
  channelUrl: string,
  cacheRoot: string,
  dependencies: string[],
): Promise<void> {
  await mkdir(projectDir, { recursive: true });
  await writeFile(
    join(projectDir, 'environment.yml'),
    [
      `name: ${name}`,
      'channels:',
      `  - ${channelUrl}`,
      '  - nodefaults',
      'dependencies:',
      ...dependencies.map((d) => `  - ${d}`),
      '',
    ].join('\n'),
  );
  await lockProject(
    { projectDir, platforms: ['linux-64'] },
    {},
    { cache: new RepodataCache({ dir: join(cacheRoot, 'repodata') }) },
  );
}

/** condense.yml for the service project: `recipe` fields on top of the test engine's settings. */
export async function writeServiceRecipe(
  projectDir: string,
  recipe: Record<string, unknown>,
): Promise<void> {
  await writeFile(join(projectDir, 'condense.yml'), stringify({ version: 1, ...recipe }));
}
