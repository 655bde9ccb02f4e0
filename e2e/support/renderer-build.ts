import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { build } from 'vite';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-results');

let built: Promise<string> | undefined;

/**
 * The renderer the e2e tests serve. With CONDENSE_E2E_BUILT=1 it is the shipped `out/renderer` (run
 * `npm run build` first); otherwise the current sources are built once per process into
 * test-results/, so a stale out/ never hides a renderer change.
 */
export function e2eRendererDir(): Promise<string> {
  if (process.env.CONDENSE_E2E_BUILT === '1') {
    const dir = join(ROOT, 'out', 'renderer');
    if (!existsSync(join(dir, 'index.html'))) {
      return Promise.reject(new Error(`${dir} has no index.html: run npm run build first.`));
    }
    return Promise.resolve(dir);
  }
  built ??= (async () => {
    const outDir = join(RESULTS_DIR, 'e2e-renderer');
    await build({
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, watch: null },
    });
    return outDir;
  })();
  return built;
}
