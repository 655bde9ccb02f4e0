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
  controller: AbortController;
  events: JobEvent[];
  done: Promise<unknown>;
}

/** How many events a finished job keeps for late subscribers (a renderer that navigated away). */
const REPLAY_LIMIT = 20_000;
const REPLAY_SLACK = 5_000;

/**
 * Runs long work as jobs. Each job ends with exactly one terminal event: `done` (data: the result),
 * `failed` (data: ErrorInfo) or `cancelled`.
 */
export class JobManager {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly listeners = new Set<(event: JobEvent) => void>();

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start<T>(
    job: JobKind,
    work: (context: JobContext) => Promise<T>,
  ): { jobId: string; result: Promise<T> } {
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
    return [...this.jobs.values()].map((r) => ({ ...r.summary }));
  }

  /** Events sent so far, for a client that subscribes late. */
  replay(jobId: string, afterSeq = 0): JobEvent[] {
    return (this.jobs.get(jobId)?.events ?? []).filter((e) => e.seq > afterSeq);
  }

  /** Cancels everything and waits for the jobs to settle (app shutdown). */
  async shutdown(): Promise<void> {
    for (const record of this.jobs.values()) record.controller.abort();
    await Promise.all([...this.jobs.values()].map((r) => r.done));
  }
}
