import { randomUUID } from 'node:crypto';

import { CondenseError, toErrorInfo } from '../../../shared/api/errors';
import type { JobEvent, JobKind, JobSummary } from '../../../shared/api/jobs';
import { redactFields } from '../../../shared/format/redact';

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  /** Sends a domain event (`log`, `step`, `progress`...) to every listener. */
  emit(kind: string, data: unknown): void;
}

interface JobRecord {
  summary: JobSummary;
  /** When the job ended (the clock's milliseconds), for forgetting it later. */
  finished?: number;
  controller: AbortController;
  events: JobEvent[];
  done: Promise<unknown>;
}

/** How many events a finished job keeps for late subscribers (a renderer that navigated away). */
const REPLAY_LIMIT = 20_000;
const REPLAY_SLACK = 5_000;

export interface JobManagerOptions {
  /** How long a finished job stays listable and replayable (default 30 minutes). */
  keepFinishedMs?: number;
  /** At most this many finished jobs are kept, the oldest forgotten first (default 50). */
  maxFinished?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/**
 * Runs long work as jobs. Each job ends with exactly one terminal event: `done` (data: the result),
 * `failed` (data: ErrorInfo) or `cancelled`. Finished jobs are forgotten after a while, so a server
 * that runs for weeks keeps bounded memory; running jobs are never forgotten.
 */
export class JobManager {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly keepFinishedMs: number;
  private readonly maxFinished: number;
  private readonly now: () => number;

  constructor(options: JobManagerOptions = {}) {
    this.keepFinishedMs = options.keepFinishedMs ?? 30 * 60_000;
    this.maxFinished = options.maxFinished ?? 50;
    this.now = options.now ?? Date.now;
  }

  /** Drops finished jobs past their time, then the oldest beyond `maxFinished`. */
  private forgetFinished(): void {
    const now = this.now();
    const finished = [...this.jobs.entries()].filter(([, r]) => r.finished !== undefined);
    let excess = finished.length - this.maxFinished;
    // Map order is start order: the oldest come first.
    for (const [jobId, record] of finished) {
      if (excess > 0 || now - record.finished! > this.keepFinishedMs) {
        this.jobs.delete(jobId);
        excess--;
      }
    }
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start<T>(
    job: JobKind,
    work: (context: JobContext) => Promise<T>,
  ): { jobId: string; result: Promise<T> } {
    this.forgetFinished();
    const jobId = randomUUID();
    const controller = new AbortController();
    let seq = 0;
    const record: JobRecord = {
      summary: { jobId, job, state: 'running', startedAt: new Date().toISOString() },
      controller,
      events: [],
      done: Promise.resolve(),
    };
    const emit = (kind: string, data: unknown) => {
      // Every message leaving a job (progress, log lines, errors) passes the one redaction.
      const event: JobEvent = { jobId, job, seq: ++seq, kind, data: redactFields(data) };
      record.events.push(event);
      // Trim in chunks: a splice per event made a 100,000-line build log quadratic.
      if (record.events.length > REPLAY_LIMIT + REPLAY_SLACK) {
        record.events.splice(0, record.events.length - REPLAY_LIMIT);
      }
      for (const listener of this.listeners) listener(event);
    };
    this.jobs.set(jobId, record);
    const result = (async () => {
      try {
        const value = await work({ jobId, signal: controller.signal, emit });
        if (controller.signal.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
        record.summary.state = 'succeeded';
        emit('done', value);
        return value;
      } catch (error) {
        const cancelled = controller.signal.aborted;
        record.summary.state = cancelled ? 'cancelled' : 'failed';
        emit(
          cancelled ? 'cancelled' : 'failed',
          cancelled ? { message: 'Cancelled.' } : toErrorInfo(error),
        );
        throw cancelled ? new CondenseError('CANCELLED', 'Cancelled.') : error;
      } finally {
        record.summary.finishedAt = new Date().toISOString();
        record.finished = this.now();
        this.forgetFinished();
      }
    })();
    record.done = result.catch(() => undefined);
    return { jobId, result };
  }

  cancel(jobId: string): boolean {
    const record = this.jobs.get(jobId);
    if (!record) throw new CondenseError('NOT_FOUND', `No job with id ${jobId}.`, { jobId });
    if (record.summary.state !== 'running') return false;
    record.controller.abort();
    return true;
  }

  list(): JobSummary[] {
    this.forgetFinished();
    return [...this.jobs.values()].map((r) => ({ ...r.summary }));
  }

  /** Events sent so far, for a client that subscribes late. */
  replay(jobId: string, afterSeq = 0): JobEvent[] {
    this.forgetFinished();
    return (this.jobs.get(jobId)?.events ?? []).filter((e) => e.seq > afterSeq);
  }

  /** Cancels everything and waits for the jobs to settle (app shutdown). */
  async shutdown(): Promise<void> {
    for (const record of this.jobs.values()) record.controller.abort();
    await Promise.all([...this.jobs.values()].map((r) => r.done));
  }
}
