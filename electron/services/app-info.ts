import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Injected by the build (esbuild define); falls back for tests that run the sources directly.
declare const __CONDENSE_VERSION__: string | undefined;

export const APP_NAME = 'Condense';
export const APP_VERSION: string =
  typeof __CONDENSE_VERSION__ === 'string'
    ? __CONDENSE_VERSION__
    : (process.env.npm_package_version ?? '0.1.0');

/**
 * The folder holding Condense's package.json, found by walking up from `start` (the sources in tests,
 * `out/cli` or `out/main` when bundled, `resources/app.asar/...` when packaged).
 */
export function findAppRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'condense') {
          return dir;
        }
      } catch {
        // An unreadable package.json further down (a dependency's): keep walking.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The built UI: `$CONDENSE_RENDERER_DIR`, else `<app root>/out/renderer`. */
export function rendererDir(start: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONDENSE_RENDERER_DIR) return env.CONDENSE_RENDERER_DIR;
  const root = findAppRoot(start);
  return join(root ?? join(start, '..', '..'), 'out', 'renderer');
}
