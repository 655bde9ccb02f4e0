import { z } from 'zod';

import { noFields, shortText, wholeNumber } from './fields';
import type { RequestSchemas } from './schema';

/** Long work (lock, build) runs as a job: `start` returns its id, events stream back, cancel aborts it. */
/** `watch`: a project's files watched until cancelled (`project:watch`). */
export type JobKind = 'lock' | 'build' | 'analyze' | 'search' | 'push' | 'watch' | 'trace';

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A progress message meant for people: a phase name and an optional fraction 0..1. */
export interface JobProgress {
  message: string;
  fraction?: number;
}

/**
 * Every event a job sends. `kind` tells the shape of `data`; domain events (build steps, log lines)
 * use their own kinds, declared in the domain's contract file.
 */
export interface JobEvent<Data = unknown> {
  jobId: string;
  /** Which job type sent it. */
  job: JobKind;
  /** Monotonic per job, so a replay buffer can drop duplicates. */
  seq: number;
  kind: string;
  data: Data;
}

export interface JobStarted {
  jobId: string;
}

export interface JobSummary {
  jobId: string;
  job: JobKind;
  state: JobState;
  startedAt: string;
  finishedAt?: string;
}

export interface JobMethods {
  /** Aborts a running job; a finished job is left as it is. */
  'jobs:cancel': { request: { jobId: string }; response: { cancelled: boolean } };
  'jobs:list': { request: Record<string, never>; response: JobSummary[] };
  /**
   * Events a job sent after `afterSeq` (default 0: all it kept), for a page that reloaded or
   * reconnected while the job ran (browser mode over an SSH tunnel). Unknown jobs give [].
   */
  'jobs:events': { request: { jobId: string; afterSeq?: number }; response: JobEvent[] };
}

const jobId = shortText(128).min(1, 'is empty');

export const jobSchemas = {
  'jobs:cancel': z.strictObject({ jobId }),
  'jobs:list': noFields,
  'jobs:events': z.strictObject({
    jobId,
    afterSeq: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  }),
} satisfies RequestSchemas<keyof JobMethods>;
