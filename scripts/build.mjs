// Builds the Node side with esbuild (Electron main, preload, CLI) and the renderer with Vite, into out/.
// Runs on `npm install` through the prepare script, so `npm start` and `npx condense` work at once.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

import { cliBuildOptions } from './cli-build-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
  define: { __CONDENSE_VERSION__: JSON.stringify(version) },
};

const targets = [
  { entry: 'electron/main/index.ts', outfile: 'out/main/index.cjs', format: 'cjs' },
  // A sandboxed preload cannot require node_modules: bundle everything but electron.
  {
    entry: 'electron/preload/index.ts',
    outfile: 'out/preload/index.cjs',
    format: 'cjs',
    packages: 'bundle',
    external: ['electron'],
  },
  // Split so each command's modules (dockerode, rattler's WASM...) load only when that command runs.
  {
    entry: 'electron/cli/index.ts',
    outdir: 'out/cli',
    ...cliBuildOptions(root),
    packages: undefined,
  },
].filter((t) => existsSync(join(root, t.entry)));

// The CLI's chunk names carry hashes: start from an empty folder so old chunks do not pile up.
if (!watch) rmSync(join(root, 'out', 'cli'), { recursive: true, force: true });

const contexts = await Promise.all(
  targets.map(({ entry, ...rest }) =>
    esbuild.context({
      ...common,
      ...rest,
      entryPoints: [join(root, entry)],
      ...(rest.outfile
        ? { outfile: join(root, rest.outfile) }
        : { outdir: join(root, rest.outdir) }),
    }),
  ),
);
await Promise.all(contexts.map((c) => c.rebuild()));

if (existsSync(join(root, 'renderer/index.html'))) {
  await viteBuild({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { watch: watch ? {} : null },
  });
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes…');
} else {
  await Promise.all(contexts.map((c) => c.dispose()));
  console.log(
    `built ${targets.length} Node bundles${existsSync(join(root, 'out/renderer/index.html')) ? ' and the renderer' : ''} into out/`,
  );
}
