import { z } from 'zod';

import type { ServiceCheckSpec, SmokeSpec } from '../checks/model';
import type { TraceReport, TraceSuggestion } from '../trace/model';
import { serviceRequestSchema, smokeSpecSchema } from './build';
import { list, projectDir, shortText, variantId } from './fields';
import type { JobStarted } from './jobs';
import type { RequestSchemas } from './schema';

/** A stored trace of one variant (`.condense/traces/<variant>.json`). */
export interface TraceRecord {
  variant: string;
  /** ISO time the trace ran. */
  tracedAt: string;
  /** The image that was traced. */
  imageId: string;
  report: TraceReport;
  /** The suggested `traced` variant, when one was asked for. */
  suggestion?: TraceSuggestion;
  /** Whether the suggested variant was built and passed every check (`suggest` only). */
  verified?: { passed: boolean; message: string; buildId?: string; sizeBytes?: number };
}

/** `trace:start` events besides `progress`: `report` once the trace is read, `done` with the record. */
export interface TraceEvents {
  report: TraceReport;
  done: TraceRecord;
}

export interface TraceStartRequest {
  projectDir: string;
  /** The variant to trace (condense.yml's id); default: the first variant (or the single image). */
  variant?: string;
  /**
   * Also build the suggested `traced` variant, run every check on it, and write it into condense.yml
   * when they pass.
   */
  suggest?: boolean;
  /** Override condense.yml's `network:` (tests on a bridge-less engine pass `host`). */
  network?: 'default' | 'host' | 'none';
  /** Extra commands to run under the tracer (argument lists, no shell), besides condense.yml's. */
  commands?: string[][];
  /**
   * The smoke test as `build:start` takes it (`condense trace --module`, `--no-imports`, `--check`):
   * default, the modules derived from the lock and the check command the traced build ran. The
   * suggested variant's re-check always runs condense.yml's checks, whatever narrows the trace.
   */
  smoke?: SmokeSpec;
  /** The service check instead of condense.yml's (as in `build:start`). */
  service?: ServiceCheckSpec & { port: number };
}

export interface TraceMethods {
  /** Traces a built variant's checks. A `trace` job: `progress`, `report`, then `done`. */
  'trace:start': { request: TraceStartRequest; response: JobStarted };
  /** The stored traces of the project, newest first. */
  'trace:list': { request: { projectDir: string }; response: TraceRecord[] };
}

export const traceSchemas = {
  'trace:start': z.strictObject({
    projectDir,
    variant: variantId.optional(),
    suggest: z.boolean().optional(),
    network: z.enum(['default', 'host', 'none']).optional(),
    commands: list(list(shortText(4096), 256).min(1, 'is empty'), 32).optional(),
    smoke: smokeSpecSchema.optional(),
    service: serviceRequestSchema.optional(),
  }),
  'trace:list': z.strictObject({ projectDir }),
} satisfies RequestSchemas<keyof TraceMethods>;
