import { CondenseError } from '../../../shared/api/errors';
import type { JobProgress } from '../../../shared/api/jobs';
import type { TraceEvents, TraceRecord, TraceStartRequest } from '../../../shared/api/trace';
import type { Engine } from '../docker/engine';

export interface TraceServiceDeps {
  engine: () => Engine;
  /** User cache root (package file lists, the tracer's lock). */
  cacheRoot?: string;
}

export interface TraceJobContext {
  signal: AbortSignal;
  emit<K extends keyof TraceEvents | 'progress'>(
    kind: K,
    data: K extends keyof TraceEvents ? TraceEvents[K] : JobProgress,
  ): void;
}

/** Traces a built variant's checks and reads what they used (in progress: see the trace branch). */
export function traceProject(
  _deps: TraceServiceDeps,
  _request: TraceStartRequest,
  _job: TraceJobContext,
): Promise<TraceRecord> {
  return Promise.reject(new CondenseError('NOT_FOUND', 'Tracing is not built yet.'));
}

/** The stored traces of a project, newest first. */
export function listTraces(_projectDir: string): Promise<TraceRecord[]> {
  return Promise.resolve([]);
}
