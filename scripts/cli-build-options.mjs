// The CLI bundle's esbuild options, shared by scripts/build.mjs and the lock-speed benchmark so the
// benchmark measures what `npm run build` ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Small pure-JavaScript packages every lock loads are bundled into the CLI's chunks: one module to
 * compile instead of dozens of files to resolve and load (yaml is CommonJS, ~70 files; zod ~60),
 * about 0.1 s of CPU per `condense lock`. Everything else stays external (rattler reads its WASM
 * beside its own files; dockerode and the rest load only with their commands).
 */
export const CLI_BUNDLED = ['yaml', 'zod'];

/** esbuild options of the CLI bundle (without entryPoints/outdir). */
export function cliBuildOptions(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const installed = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.devDependencies ?? {}),
    'electron',
  ];
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    external: installed.filter((name) => !CLI_BUNDLED.includes(name)),
    // Bundled CommonJS (yaml) calls require(): give the ES module chunks one.
    banner: {
      js: "import { createRequire as __condenseRequire } from 'node:module'; const require = __condenseRequire(import.meta.url);",
    },
    define: { __CONDENSE_VERSION__: JSON.stringify(pkg.version) },
  };
}
