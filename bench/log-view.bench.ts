// The Build screen's log view in Debian's Chromium: 100,000 lines streamed at 10,000 lines per second
// through the real store and components (renderer/bench/log-view.html); frame intervals while streaming.
// Also the renderer bundle size. Prints figures; never fails on timing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import react from '@vitejs/plugin-react';
import { chromium } from 'playwright-core';
import { build } from 'vite';

import {
  available,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  chromiumRequirement,
} from '../test/support/requirements';

const root = join(import.meta.dirname, '..');

/** What renderer/bench/log-view-bench.tsx's `window.runLogBench()` returns. */
interface LogBenchResult {
  lines: number;
  linesPerSecond: number;
  streamSeconds: number;
  frames: number;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  longFrames: number;
  domRows: number;
  shownLines: string;
}
type BenchWindow = { runLogBench?: () => Promise<LogBenchResult> };
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

async function main() {
  if (!available('Chromium', chromiumRequirement())) return;
  const outDir = await mkdtemp(join(tmpdir(), 'condense-log-bench-'));
  try {
    await build({
      configFile: false,
      root: join(root, 'renderer'),
      base: './',
      logLevel: 'warn',
      plugins: [react()],
      build: {
        outDir,
        emptyOutDir: true,
        rollupOptions: { input: join(root, 'renderer/bench/log-view.html') },
      },
    });
    const server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      const file = join(outDir, path);
      try {
        if (!file.startsWith(outDir) || !statSync(file).isFile()) throw new Error('not a file');
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        });
        response.end(readFileSync(file));
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      for (const [lines, rate] of [
        [100_000, 10_000],
        [100_000, 50_000],
      ] as const) {
        await page.goto(`http://127.0.0.1:${port}/bench/log-view.html?lines=${lines}&rate=${rate}`);
        await page.waitForFunction(
          () => typeof (globalThis as unknown as BenchWindow).runLogBench === 'function',
        );
        const result = await page.evaluate(() =>
          (globalThis as unknown as BenchWindow).runLogBench!(),
        );
        console.log(
          `log view, ${lines} lines offered at ${rate}/s: streamed in ${result.streamSeconds.toFixed(2)} s ` +
            `(${result.linesPerSecond} lines/s); ${result.frames} frames, interval p50 ${result.frameP50.toFixed(1)} ms, ` +
            `p95 ${result.frameP95.toFixed(1)} ms, max ${result.frameMax.toFixed(1)} ms, ${result.longFrames} over 50 ms; ` +
            `${result.domRows} rows in the DOM; view says "${result.shownLines}"`,
        );
      }
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  // The app's own bundle, as `npm run build` writes it.
  const assets = join(root, 'out/renderer/assets');
  try {
    for (const name of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
      console.log(
        `renderer bundle ${name}: ${(statSync(join(assets, name)).size / 1024).toFixed(1)} KiB`,
      );
    }
  } catch {
    console.log('renderer bundle: out/renderer is not built (npm run build)');
  }
}

await main();
