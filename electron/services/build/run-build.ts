import type { Readable } from 'node:stream';

import type { BuildLogLine, BuildStep, NetworkMode } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import type { BuildStreamMessage, DecodedBuild } from '../../../shared/build/progress-decoder';
import { BuildProgressDecoder } from '../../../shared/build/progress-decoder';
import type { Engine } from '../docker/engine';
import { engineError, engineMessage } from '../docker/engine';
import { CONTEXT_DOCKERFILE } from './build-context';
import { baseImages, buildFailure } from './build-errors';

export interface RunBuildOptions {
  engine: Engine;
  /** The context tar; a stream is read once, so each build gets a fresh one. */
  context: Readable;
  dockerfile: string;
  builder: 'buildkit' | 'classic';
  target?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  /** Image labels set by the engine (the Dockerfile stays as generated). */
  labels?: Record<string, string>;
  noCache?: boolean;
  /** Network of the RUN steps: `default` leaves the engine's default network (a bridge). */
  network?: NetworkMode;
  variant?: string;
  signal?: AbortSignal;
  onStep?: (step: BuildStep) => void;
  onLog?: (line: BuildLogLine) => void;
}

export interface RunBuildResult {
  imageId: string;
  decoded: DecodedBuild;
  durationMs: number;
}

const fromBase64 = (text: string) => Buffer.from(text, 'base64');

/**
 * One image build through the Engine API, on the engine's default network unless `network` says
 * `host` or `none`, and never `pull` (no registry may be reachable). Failures are CondenseErrors; an
 * abort is CANCELLED.
 */
export async function runBuild(options: RunBuildOptions): Promise<RunBuildResult> {
  const { engine, signal } = options;
  const started = performance.now();
  signal?.throwIfAborted();
  const decoder = new BuildProgressDecoder({
    ...(options.variant ? { variant: options.variant } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
    decodeBase64: fromBase64,
  });
  const buildOptions = {
    dockerfile: CONTEXT_DOCKERFILE,
    t: options.tags ?? [],
    ...(options.network && options.network !== 'default' ? { networkmode: options.network } : {}),
    rm: true,
    // Classic builder: remove intermediate containers even when a step fails or is cancelled.
    forcerm: true,
    nocache: options.noCache ?? false,
    ...(options.target ? { target: options.target } : {}),
    ...(options.buildArgs ? { buildargs: options.buildArgs } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.builder === 'buildkit' ? { version: '2' } : { version: '1' }),
    ...(signal ? { abortSignal: signal } : {}),
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.docker.buildImage(
      options.context,
      // @types/dockerode (v4) types `t` as one string; the engine takes it repeated.
      buildOptions as unknown as Parameters<typeof engine.docker.buildImage>[1],
    );
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
    const mapped = engineError(error, engine.target);
    if (mapped instanceof CondenseError) throw mapped;
    throw buildFailure({ error: engineMessage(error) }, []);
  }
  try {
    await readLines(stream, (line) => {
      let message: BuildStreamMessage;
      try {
        message = JSON.parse(line) as BuildStreamMessage;
      } catch {
        return;
      }
      decoder.push(message);
    });
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
    throw engineError(error, engine.target);
  }
  if (signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
  const decoded = decoder.finish();
  if (decoded.error || !decoded.imageId) {
    const missing = await missingImages(engine, baseImages(options.dockerfile));
    throw buildFailure(
      decoded.error ? decoded : { ...decoded, error: 'The engine sent no image id.' },
      missing,
    );
  }
  return { imageId: decoded.imageId, decoded, durationMs: performance.now() - started };
}

async function missingImages(engine: Engine, images: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const image of images) {
    try {
      await engine.docker.getImage(image).inspect();
    } catch {
      missing.push(image);
    }
  }
  return missing;
}

/** Splits the stream into lines without holding more than one partial line. */
function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const text = rest + chunk;
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        if (end > start) onLine(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
    });
    stream.on('end', () => {
      if (rest.trim()) onLine(rest);
      resolve();
    });
    stream.on('error', reject);
    // An aborted request closes without 'end'.
    stream.on('close', () => resolve());
  });
}
