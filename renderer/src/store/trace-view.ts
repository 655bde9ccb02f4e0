import type { ErrorInfo } from '../../../shared/api/errors';
import { fromErrorInfo } from '../../../shared/api/errors';
import type { JobProgress } from '../../../shared/api/jobs';
import type { TraceRecord } from '../../../shared/api/trace';
import { findRule, ruleTitle } from '../../../shared/recipe/catalog';
import type { RecipePlatform } from '../../../shared/recipe/model';
import type { RuleUsage, TraceReport } from '../../../shared/trace/model';
import { describeError } from '../lib/format';
import type { AppState, JobView } from './types';

type S = Pick<AppState, keyof AppState>;

/** A variant that can be traced: built with an image in the newest build that has one. */
export interface TraceChoice {
  id: string;
  imageId?: string;
  sizeBytes: number;
  buildId: string;
}

export type TracePhase = 'idle' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What the panel shows for the chosen variant. */
export interface TraceView {
  phase: TracePhase;
  progress?: JobProgress;
  /** Words for people: what went wrong and what to do. */
  error?: string;
  /** The running (or last) job also builds and re-checks the suggested variant. */
  suggesting: boolean;
  jobId?: string;
  report?: TraceReport;
  /** The record the report comes from; absent while a trace runs (only its report is known). */
  record?: TraceRecord;
}

/** One bar of the limit picture: a variant's measured size (the traced one split into parts). */
export interface LimitBar {
  label: string;
  bytes: number;
  /** The traced image: drawn as base, used and unused. */
  traced: boolean;
}

/** A catalog rule that already removes part of a folder's unused bytes. */
export interface RuleShare {
  id: string;
  title: string;
  bytes: number;
}

/**
 * A trace job's error in words for people. The service's message says what went wrong (it may name a
 * CLI command: the app says where to do it instead); the next step is the tracing one.
 */
export function describeTraceError(info: ErrorInfo): string {
  switch (info.code) {
    case 'CANCELLED':
      return 'Trace cancelled.';
    case 'NOT_FOUND':
      // condense.yml lost the variant (edited by hand since the build).
      if (info.details?.field === 'variant') return info.message;
      return `No built image of ${variantName(info)} is on the engine: build it on the Build screen first, then trace it.`;
    case 'IMAGE_MISSING':
      return `${info.message} Build this variant again on the Build screen, then trace it.`;
    case 'CHECK_FAILED':
      return `${info.message} The checks must pass for the trace to mean anything: fix them on the Build screen, rebuild, then trace again.`;
    case 'TIMEOUT':
      return `${info.message} The checks run slower under the tracer; try again, or give the service more time to start.`;
    default:
      return describeError(fromErrorInfo(info));
  }
}

function variantName(info: ErrorInfo): string {
  const variant = info.details?.variant;
  return typeof variant === 'string' ? `the variant ${variant}` : 'this variant';
}

function totalOf(sizeBytes: number | undefined, layers: { sizeBytes: number }[]): number {
  return sizeBytes ?? layers.reduce((sum, l) => sum + l.sizeBytes, 0);
}

export const traceSelectors = {
  job: (s: Pick<S, 'traceJobId' | 'jobs'>): JobView | undefined =>
    s.traceJobId ? s.jobs[s.traceJobId] : undefined,
  isTracing: (s: Pick<S, 'traceJobId' | 'jobs'>) => traceSelectors.job(s)?.state === 'running',
  /**
   * Each variant of condense.yml by its newest successful build whose images are still there (as
   * the trace service picks the image), newest build first: building one variant, say the traced
   * one, leaves the others traceable. A variant no longer in condense.yml cannot be traced (the
   * service refuses it).
   */
  choices: (s: Pick<S, 'history'> & { recipe?: S['recipe'] }): TraceChoice[] => {
    const order = s.recipe
      ? s.recipe.variants.length > 0
        ? s.recipe.variants.map((v) => v.id)
        : ['default']
      : undefined;
    const inRecipe = order ? new Set(order) : undefined;
    const seen = new Set<string>();
    const out: TraceChoice[] = [];
    const builds = [...s.history]
      .filter((b) => !b.imagesRemoved)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    for (const build of builds) {
      for (const v of build.variants) {
        if (v.state !== 'succeeded' || seen.has(v.id) || (inRecipe && !inRecipe.has(v.id)))
          continue;
        seen.add(v.id);
        out.push({
          id: v.id,
          ...(v.imageId ? { imageId: v.imageId } : {}),
          sizeBytes: totalOf(v.sizeBytes, v.layers),
          buildId: build.id,
        });
      }
    }
    // In condense.yml's order when it is known, else newest build first.
    return order ? out.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)) : out;
  },
  /** The variant the panel opens on: the one traced last when it can still be traced, else the first. */
  defaultChoice: (
    s: Pick<S, 'history' | 'traces'> & { recipe?: S['recipe'] },
  ): string | undefined => {
    const ids = traceSelectors.choices(s).map((c) => c.id);
    return s.traces.map((t) => t.variant).find((v) => ids.includes(v)) ?? ids[0];
  },
  /** The newest stored trace of a variant. */
  record: (s: Pick<S, 'traces'>, variant: string): TraceRecord | undefined =>
    s.traces.find((t) => t.variant === variant),
  view: (
    s: Pick<S, 'traces' | 'traceJobId' | 'traceRequest' | 'traceError' | 'jobs'>,
    variant: string,
  ): TraceView => {
    const stored = traceSelectors.record(s, variant);
    const mine = s.traceRequest?.variant === variant;
    const suggesting = mine && s.traceRequest?.suggest === true;
    const job = mine ? traceSelectors.job(s) : undefined;
    const idle: TraceView = {
      phase: 'idle',
      suggesting: false,
      ...(stored ? { record: stored, report: stored.report } : {}),
    };
    if (mine && s.traceError && !job) {
      return { ...idle, phase: 'failed', error: s.traceError, suggesting };
    }
    if (!job) return idle;
    const base = { suggesting, jobId: job.jobId };
    switch (job.state) {
      case 'running': {
        const report = job.report ?? stored?.report;
        return {
          phase: 'running',
          ...base,
          ...(job.progress ? { progress: job.progress } : {}),
          ...(report ? { report } : {}),
        };
      }
      case 'succeeded': {
        const record = (job.result as TraceRecord | undefined) ?? stored;
        return {
          phase: 'succeeded',
          ...base,
          ...(record ? { record, report: record.report } : {}),
        };
      }
      case 'failed':
        return { ...idle, ...base, phase: 'failed', error: job.error ?? 'The trace failed.' };
      case 'cancelled':
        return { ...idle, ...base, phase: 'cancelled' };
    }
  },
  /** The physical limit beside a built variant: from the trace of that very image. */
  limitFor: (s: Pick<S, 'traces'>, imageId: string | undefined): number | undefined =>
    imageId ? s.traces.find((t) => t.imageId === imageId)?.report.limitBytes : undefined,
  /** What no check used: every shipped byte that is neither used nor the runtime base. */
  unusedBytes: (report: TraceReport): number =>
    Math.max(0, report.shippedBytes - report.baseBytes - report.usedBytes),
  /** Catalog rules that would remove files a check used, the worst first. */
  rulesRemovingUsed: (report: TraceReport): RuleUsage[] =>
    report.rules.filter((r) => r.usedBytes > 0).sort((a, b) => b.usedBytes - a.usedBytes),
  /** The rules (catalog titles) that already remove a folder's unused bytes, the largest first. */
  ruleShares: (
    byRule: Record<string, number>,
    platform: RecipePlatform = 'linux-64',
  ): RuleShare[] =>
    Object.entries(byRule)
      .filter(([, bytes]) => bytes > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([id, bytes]) => {
        const rule = findRule(id);
        return { id, title: rule ? ruleTitle(rule, platform) : id, bytes };
      }),
  /**
   * The bars of the limit picture: each variant of the newest build by its measured size, the traced
   * image (when it is not among them) and the re-checked suggestion.
   */
  limitBars: (
    record: {
      report: TraceReport;
      imageId: string;
      variant: string;
      verified?: TraceRecord['verified'];
      suggestion?: TraceRecord['suggestion'];
    },
    choices: TraceChoice[],
  ): LimitBar[] => {
    const bars: LimitBar[] = choices.map((c) => ({
      label: c.id,
      bytes: c.sizeBytes,
      traced: c.imageId === record.imageId,
    }));
    if (!bars.some((b) => b.traced)) {
      bars.unshift({
        label: `${record.variant} (traced image)`,
        bytes: record.report.shippedBytes,
        traced: true,
      });
    }
    const verified = record.verified;
    const suggested = record.suggestion?.variantId;
    if (
      verified?.passed &&
      verified.sizeBytes !== undefined &&
      suggested &&
      !bars.some((b) => b.label === suggested)
    ) {
      bars.push({
        label: `${suggested} (suggested)`,
        bytes: verified.sizeBytes,
        traced: false,
      });
    }
    return bars;
  },
};
