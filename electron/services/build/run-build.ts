import type { Readable } from 'node:stream';

import type { BuildLogLine, BuildStep, NetworkMode } from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import type { BuildStreamMessage, DecodedBuild } from '../../../shared/build/progress-decoder';
import { BuildProgressDecoder } from '../../../shared/build/progress-decoder';
import type { BuildSession } from '../docker/build-session';
import { openBuildSession } from '../docker/build-session';
import type { Engine } from '../docker/engine';
import { buildIdleTimeoutMs, engineCall, engineError, engineMessage } from '../docker/engine';
import { type Deadline, deadline } from '../wait/deadline';
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
  /** BuildKit secrets by id (`RUN --mount=type=secret,id=...`), served over our own session. */
  secrets?: Record<string, Buffer>;
  signal?: AbortSignal;
  /** How long the engine may send nothing; default {@link buildIdleTimeoutMs}. */
  idleTimeoutMs?: number;
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
  const idleMs = options.idleTimeoutMs ?? buildIdleTimeoutMs();
  // An idle deadline: every line from the engine starts the clock again, so a long build that keeps
  // talking runs on while an engine that stops answering ends the build.
  const idle = deadline(idleMs, options.signal);
  try {
    return await runBuildWatched(options, idle);
  } catch (error) {
    if (idle.expired) {
      throw idle.error(
        `The Docker engine at ${options.engine.target.host} (build${options.variant ? ` of ${options.variant}` : ''})`,
        'a silent step ran longer than the build idle timeout (CONDENSE_BUILD_IDLE_TIMEOUT), or the engine hangs',
      );
    }
    throw error;
  } finally {
    idle.dispose();
  }
}

async function runBuildWatched(options: RunBuildOptions, idle: Deadline): Promise<RunBuildResult> {
  const { engine } = options;
  const signal = idle.signal;
  const started = performance.now();
  if (options.signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
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
    abortSignal: signal,
  };
  let session: BuildSession | undefined;
  if (options.builder === 'buildkit' && options.secrets && Object.keys(options.secrets).length) {
    session = await openBuildSession(engine, options.secrets).catch((error: unknown) => {
      throw engineError(error, engine.target);
    });
    // A number: dockerode opens its own (auth-only) session for the string '2'; the engine reads both.
    Object.assign(buildOptions, { version: 2, session: session.id });
  }
  try {
    return await buildWith(engine, options, buildOptions, decoder, started, idle);
  } finally {
    session?.close();
  }
}

async function buildWith(
  engine: Engine,
  options: RunBuildOptions,
  buildOptions: Record<string, unknown>,
  decoder: BuildProgressDecoder,
  started: number,
  idle: Deadline,
): Promise<RunBuildResult> {
  const signal = idle.signal;
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
  // The response stream does not always end on the request's abort: end it here.
  const onAbort = () => (stream as unknown as Readable).destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await readLines(stream, (line) => {
      idle.touch();
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
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw new CondenseError('CANCELLED', 'Build cancelled.');
  const decoded = decoder.finish();
  if (decoded.error || !decoded.imageId) {
    const missing = await missingImages(engine, baseImages(options.dockerfile), options.signal);
    throw buildFailure(
      decoded.error ? decoded : { ...decoded, error: 'The engine sent no image id.' },
      missing,
    );
  }
  return { imageId: decoded.imageId, decoded, durationMs: performance.now() - started };
}

async function missingImages(
  engine: Engine,
  images: string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const missing: string[] = [];
  for (const image of images) {
    try {
      await engineCall(
        engine,
        `inspect ${image}`,
        () => engine.docker.getImage(image).inspect(),
        signal,
      );
    } catch (error) {
      if (isCondenseError(error, 'TIMEOUT') || isCondenseError(error, 'CANCELLED')) break;
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
