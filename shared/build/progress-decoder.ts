import type { BuildLogLine, BuildStep } from '../api/build';
import { decodeStatusResponse } from './buildkit-status';

/** One JSON object of the engine's /build stream (either builder). */
export interface BuildStreamMessage {
  id?: string;
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

export interface DecoderOptions {
  /** Variant id stamped on every event. */
  variant?: string;
  onStep?: (step: BuildStep) => void;
  onLog?: (line: BuildLogLine) => void;
  /** Base64 to bytes; the Node side passes Buffer's (faster), the default uses atob. */
  decodeBase64?: (text: string) => Uint8Array;
  /** Lines kept per step for error messages. */
  keepLines?: number;
  now?: () => number;
}

/** What the stream said when it ended. */
export interface DecodedBuild {
  imageId?: string;
  /** The `error`/`errorDetail` message: a failed build is an event in the stream, not a callback error. */
  error?: string;
  steps: BuildStep[];
  /** The step that failed (its vertex carries the error), with its last log lines. */
  failedStep?: { step: BuildStep; lastLines: string[] };
  cachedSteps: number;
  totalSteps: number;
}

const utf8 = new TextDecoder('utf-8');

function atobBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Dockerfile instructions that do work (`[stage 2/4] RUN ...`, classic `[2/4] RUN ...`), as opposed to
 * BuildKit's internal vertices (`[internal] load ...`, `exporting to image`) and FROM lines.
 */
export function isCountedStep(name: string): boolean {
  return /^\[[^\]]*\d+\/\d+\] /.test(name) && !/^\[[^\]]*\] FROM /i.test(name);
}

/**
 * Turns the /build stream (BuildKit traces or classic `Step N/M` text) into typed step and log events.
 * Feed it every parsed JSON line with `push`, then call `finish`.
 */
export class BuildProgressDecoder {
  private readonly steps = new Map<string, BuildStep>();
  private readonly partial = new Map<string, string>();
  private readonly recent = new Map<string, string[]>();
  private readonly keep: number;
  private readonly decode64: (text: string) => Uint8Array;
  private readonly now: () => number;
  private imageId?: string;
  private error?: string;
  // Classic builder: the current `Step N/M` and whether it came from the cache.
  private classicStep?: BuildStep;

  constructor(private readonly options: DecoderOptions = {}) {
    this.keep = options.keepLines ?? 30;
    this.decode64 = options.decodeBase64 ?? atobBytes;
    this.now = options.now ?? Date.now;
  }

  push(message: BuildStreamMessage): void {
    if (message.errorDetail || message.error) {
      this.error = message.errorDetail?.message ?? message.error ?? 'build failed';
      this.closeClassicStep(this.error);
      return;
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      this.pushTrace(this.decode64(message.aux));
      return;
    }
    const aux = message.aux as { ID?: unknown } | undefined;
    if (aux && typeof aux.ID === 'string') {
      // BuildKit: {id: 'moby.image.id', aux: {ID}}; classic: {aux: {ID}}.
      this.imageId = aux.ID;
      return;
    }
    if (typeof message.stream === 'string') this.pushClassic(message.stream);
  }

  /** Decodes one StatusResponse (protobuf bytes). */
  pushTrace(bytes: Uint8Array): void {
    const status = decodeStatusResponse(bytes);
    for (const vertex of status.vertexes) {
      const previous = this.steps.get(vertex.digest);
      const step: BuildStep = {
        id: vertex.digest,
        name: vertex.name || previous?.name || '',
        cached: vertex.cached || (previous?.cached ?? false),
        ...(this.options.variant ? { variant: this.options.variant } : {}),
      };
      const started = vertex.started !== undefined ? iso(vertex.started) : previous?.started;
      const completed =
        vertex.completed !== undefined ? iso(vertex.completed) : previous?.completed;
      if (started) step.started = started;
      if (completed) step.completed = completed;
      const error = vertex.error || previous?.error;
      if (error) step.error = error;
      this.steps.set(vertex.digest, step);
      if (!previous || !sameStep(previous, step)) this.options.onStep?.(step);
      if (step.completed) this.flushPartial(step.id, vertex.completed ?? this.now());
    }
    for (const log of status.logs) {
      const text = (this.partial.get(log.vertex) ?? '') + utf8.decode(log.data);
      const lines = text.split('\n');
      this.partial.set(log.vertex, lines.pop() ?? '');
      const stream = log.stream === 2 ? 'stderr' : 'stdout';
      for (const line of lines) this.emitLine(log.vertex, log.time, stream, line);
    }
  }

  private flushPartial(vertex: string, time: number): void {
    const rest = this.partial.get(vertex);
    if (rest) this.emitLine(vertex, time, 'stdout', rest);
    this.partial.delete(vertex);
  }

  private emitLine(step: string, time: number, stream: 'stdout' | 'stderr', raw: string): void {
    // Progress bars redraw with \r: keep what the line finally showed.
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const shown = text.includes('\r') ? text.slice(text.lastIndexOf('\r') + 1) : text;
    let kept = this.recent.get(step);
    if (!kept) this.recent.set(step, (kept = []));
    kept.push(shown);
    if (kept.length > this.keep) kept.shift();
    const line: BuildLogLine = { step, time: iso(time || this.now()), stream, text: shown };
    if (this.options.variant) line.variant = this.options.variant;
    this.options.onLog?.(line);
  }

  /** Classic builder output: `Step 2/5 : RUN ...`, ` ---> Using cache`, ` ---> 3f2a...`, command output. */
  private pushClassic(chunk: string): void {
    const text = (this.partial.get('') ?? '') + chunk;
    const lines = text.split('\n');
    this.partial.set('', lines.pop() ?? '');
    for (const line of lines) {
      const match = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
      if (match) {
        this.closeClassicStep();
        const step: BuildStep = {
          id: `step-${match[1]}`,
          name: `[${match[1]}/${match[2]}] ${match[3]}`,
          cached: false,
          started: iso(this.now()),
          ...(this.options.variant ? { variant: this.options.variant } : {}),
        };
        this.classicStep = step;
        this.steps.set(step.id, step);
        this.options.onStep?.({ ...step });
        continue;
      }
      if (line.startsWith(' ---> ')) {
        if (line.includes('Using cache') && this.classicStep) this.classicStep.cached = true;
        continue;
      }
      if (/^(Removing intermediate container|Successfully (built|tagged)) /.test(line)) continue;
      if (!line.trim() && !this.classicStep) continue;
      this.emitLine(this.classicStep?.id ?? '', this.now(), 'stdout', line);
    }
  }

  private closeClassicStep(error?: string): void {
    const step = this.classicStep;
    if (!step) return;
    step.completed = iso(this.now());
    if (error) step.error = error;
    this.options.onStep?.({ ...step });
    this.classicStep = undefined;
  }

  finish(): DecodedBuild {
    for (const vertex of [...this.partial.keys()]) this.flushPartial(vertex, this.now());
    if (!this.error) this.closeClassicStep();
    const steps = [...this.steps.values()];
    const instructions = steps.filter((s) => isCountedStep(s.name));
    // The step that really failed, not those BuildKit cancelled because of it.
    const failed =
      steps.find((s) => s.error && !/context canceled/i.test(s.error)) ??
      steps.find((s) => s.error);
    const result: DecodedBuild = {
      steps,
      cachedSteps: instructions.filter((s) => s.cached).length,
      totalSteps: instructions.length,
    };
    if (this.imageId) result.imageId = this.imageId;
    if (this.error) result.error = this.error;
    if (failed) result.failedStep = { step: failed, lastLines: this.recent.get(failed.id) ?? [] };
    return result;
  }
}

function sameStep(a: BuildStep, b: BuildStep): boolean {
  return (
    a.name === b.name &&
    a.cached === b.cached &&
    a.started === b.started &&
    a.completed === b.completed &&
    a.error === b.error
  );
}
