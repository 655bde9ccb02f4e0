// Browser mode's event path: 100,000 build log events from the JobManager through the real server
// and WebSocket to the renderer's client (renderer/src/api/ws-client.ts). Prints throughput; never
// fails on timing. The UI needs 10,000 lines per second.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WebSocket } from 'ws';

import { startBrowserServer } from '../electron/server/browser-server';
import { createApiHandlers } from '../electron/services/api-handlers';
import { JobManager } from '../electron/services/jobs/job-manager';
import { createWebSocketClient } from '../renderer/src/api/ws-client';

const LINES = 100_000;

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'condense-ws-bench-'));
  const jobs = new JobManager();
  const server = await startBrowserServer({
    handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'config') }),
    onJobEvent: (l) => jobs.onEvent(l),
    rendererDir: join(root, 'ui'),
  });
  const client = createWebSocketClient(
    { url: `ws://127.0.0.1:${server.port}/api`, protocols: ['condense'] },
    (url, protocols) =>
      new WebSocket(url, protocols, { headers: { Authorization: `Bearer ${server.token}` } }),
  );
  try {
    await client.call('app:info', {});
    let received = 0;
    const all = new Promise<void>((resolve) => {
      client.onJobEvent((event) => {
        if (event.kind === 'log' && ++received === LINES) resolve();
      });
    });
    const text =
      '#12 0.532 Collecting package metadata (repodata.json): done, some ANSI \u001b[32mgreen\u001b[0m';
    const start = performance.now();
    const { result } = jobs.start('build', async ({ emit }) => {
      for (let i = 0; i < LINES; i++) {
        emit('log', { step: 'sha256:abc', time: new Date().toISOString(), stream: 'stdout', text });
        // Yield now and then, as a real build stream does between chunks.
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
    });
    await result;
    const sent = performance.now() - start;
    await all;
    const total = performance.now() - start;
    console.log(
      `${LINES} log events over the WebSocket: emitted in ${sent.toFixed(0)} ms, all received in ${total.toFixed(0)} ms ` +
        `(${Math.round(LINES / (total / 1000)).toLocaleString('en')} lines/s; the UI needs 10,000)`,
    );
  } finally {
    client.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
