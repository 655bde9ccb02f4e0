// Streaming 100,000 log lines through the build event pipeline: lines per second and memory.
// 1. synthetic: BuildKit trace messages (protobuf, base64, JSON lines, as the engine sends them) through
//    runBuild's line splitter and decoder into JobManager events, with a listener like the IPC door's;
// 2. real: a BuildKit build whose step prints 100,000 lines (`seq`), end to end through the engine.
import { PassThrough } from 'node:stream';

import type Docker from 'dockerode';

import { createBuildContext } from '../electron/services/build/build-context';
import { runBuild } from '../electron/services/build/run-build';
import { ensureTestImages, TEST_BASE_IMAGE } from '../electron/services/build/test-images';
import type { Engine } from '../electron/services/docker/engine';
import { connectEngine } from '../electron/services/docker/engine';
import { JobManager } from '../electron/services/jobs/job-manager';
import { encodeStatusResponse } from '../shared/build/buildkit-status';
import type { BuildStreamMessage } from '../shared/build/progress-decoder';
import { BuildProgressDecoder } from '../shared/build/progress-decoder';
import { dockerRequirement } from '../test/support/requirements';

const LINES = 100_000;
const PER_MESSAGE = 50; // BuildKit batches log writes; 50 short lines per status message is typical.
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function engineStream(): string {
  const parts: string[] = [];
  const vertex = 'sha256:' + 'ab'.repeat(32);
  const t0 = Date.now();
  parts.push(
    JSON.stringify({
      id: 'moby.buildkit.trace',
      aux: Buffer.from(
        encodeStatusResponse({
          vertexes: [{ digest: vertex, name: '[conda 2/4] RUN mamba create', started: t0 }],
        }),
      ).toString('base64'),
    }),
  );
  for (let i = 0; i < LINES; i += PER_MESSAGE) {
    const text = Array.from(
      { length: PER_MESSAGE },
      (_, j) => `  Extracting package-${i + j}-1.0-py311_0.conda  done\n`,
    ).join('');
    const aux = Buffer.from(
      encodeStatusResponse({ logs: [{ vertex, time: t0 + i, text }] }),
    ).toString('base64');
    parts.push(JSON.stringify({ id: 'moby.buildkit.trace', aux }));
  }
  parts.push(
    JSON.stringify({
      id: 'moby.buildkit.trace',
      aux: Buffer.from(
        encodeStatusResponse({
          vertexes: [
            {
              digest: vertex,
              name: '[conda 2/4] RUN mamba create',
              started: t0,
              completed: t0 + 5000,
            },
          ],
        }),
      ).toString('base64'),
    }),
  );
  parts.push(JSON.stringify({ id: 'moby.image.id', aux: { ID: 'sha256:' + 'cd'.repeat(32) } }));
  return parts.join('\n') + '\n';
}

async function synthetic() {
  const payload = engineStream();
  const docker = {
    buildImage: () => {
      const stream = new PassThrough();
      // Engine-sized chunks (the socket hands ~64 kB at a time).
      setImmediate(() => {
        for (let i = 0; i < payload.length; i += 65_536) stream.write(payload.slice(i, i + 65_536));
        stream.end();
      });
      return Promise.resolve(stream);
    },
  } as unknown as Docker;
  const engine: Engine = { docker, target: { host: 'fake', context: 'default', options: {} } };
  const jobs = new JobManager();
  let delivered = 0;
  let bytesOut = 0;
  // What the IPC/WebSocket door does with each event: serialise it.
  jobs.onEvent((event) => {
    if (event.kind === 'log') delivered++;
    bytesOut += JSON.stringify(event).length;
  });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const sampler = setInterval(
    () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)),
    20,
  );
  const started = performance.now();
  const { result } = jobs.start('build', (context) =>
    runBuild({
      network: 'host',
      engine,
      context: new PassThrough(),
      dockerfile: 'FROM scratch\n',
      builder: 'buildkit',
      signal: context.signal,
      onLog: (line) => context.emit('log', line),
    }),
  );
  await result;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  console.log(
    `synthetic: ${delivered} lines in ${seconds.toFixed(2)} s = ${Math.round(delivered / seconds).toLocaleString('en')} lines/s`,
  );
  console.log(`  engine stream ${mb(payload.length)}, events serialised ${mb(bytesOut)}`);
  console.log(
    `  heap before ${mb(heapBefore)}, peak ${mb(peakHeap)} (includes the 20,000-event replay buffer), rss ${mb(process.memoryUsage().rss)}`,
  );
  if (delivered !== LINES) throw new Error(`expected ${LINES} lines, got ${delivered}`);
}

async function real() {
  if (!dockerRequirement().ok) {
    console.log('real: skipped (no Docker engine; set DOCKER_HOST)');
    return;
  }
  const engine = connectEngine();
  await ensureTestImages(engine.docker);
  const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo ${Date.now()} && seq 1 ${LINES}\n`;
  const context = await createBuildContext({ projectDir: process.cwd(), dockerfile });
  let lines = 0;
  let last = '';
  const started = performance.now();
  await runBuild({
    network: 'host',
    engine,
    context: context.stream,
    dockerfile,
    builder: 'buildkit',
    onLog: (line) => {
      lines++;
      last = line.text;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `real engine: ${lines} lines (last "${last}") in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en')} lines/s end to end`,
  );
}

/** The decoder alone (JSON lines in, typed log lines out), to tell its share from the job fan-out. */
function decoderOnly() {
  const payload = engineStream();
  let lines = 0;
  const decoder = new BuildProgressDecoder({
    onLog: () => lines++,
    decodeBase64: (text) => Buffer.from(text, 'base64'),
  });
  const started = performance.now();
  for (const line of payload.split('\n')) {
    if (line) decoder.push(JSON.parse(line) as BuildStreamMessage);
  }
  decoder.finish();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `decoder only: ${lines} lines in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en')} lines/s`,
  );
}

decoderOnly();
await synthetic();
await real();
