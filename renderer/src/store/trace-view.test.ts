import { describe, expect, it } from 'vitest';

import { defaultRecipe } from '../../../shared/recipe/model';
import type { TraceReport } from '../../../shared/trace/model';
import { buildRecord, variantResult } from '../test-support/project-fixture';
import { suggestedRecord, traceRecord, traceReport } from '../test-support/trace-fixture';
import { describeTraceError, traceSelectors } from './trace-view';
import type { JobView } from './types';

const MIB = 1024 * 1024;

function job(patch: Partial<JobView>): JobView {
  return {
    jobId: 'trace-1',
    job: 'trace',
    state: 'running',
    lastSeq: 1,
    steps: [],
    variants: [],
    logLines: 0,
    ...patch,
  };
}

const history = [
  buildRecord('b1', '2026-01-01T09:00:00Z', [variantResult('old', [['COPY', 1]])]),
  buildRecord('b3', '2026-01-03T09:00:00Z', [
    variantResult('default', [['COPY', 105 * MIB]]),
    { ...variantResult('broken', []), state: 'failed', imageId: undefined },
    variantResult('expert', [['COPY', 60 * MIB]]),
  ]),
  { ...buildRecord('b4', '2026-01-04T09:00:00Z', []), state: 'failed' as const },
];

describe('traceSelectors', () => {
  it('offers each variant of condense.yml by its newest build with an image', () => {
    const recipe = {
      ...defaultRecipe(),
      variants: ['default', 'expert', 'traced'].map((id) => ({ id, prune: defaultRecipe().prune })),
    };
    const choices = (h = history) =>
      traceSelectors.choices({ history: h, recipe }).map((c) => [c.id, c.sizeBytes, c.buildId]);
    // `old` is built but no longer in condense.yml; `broken` failed; b4 built nothing.
    expect(choices()).toEqual([
      ['default', 105 * MIB, 'b3'],
      ['expert', 60 * MIB, 'b3'],
    ]);
    // Without the recipe (not read yet), every built variant.
    expect(traceSelectors.choices({ history }).map((c) => c.id)).toEqual([
      'default',
      'expert',
      'old',
    ]);
    // Building the traced variant alone (as "Create the traced variant" does) keeps the others, in
    // condense.yml's order; a build whose images were removed offers nothing.
    const traced = buildRecord('b5', '2026-01-05T09:00:00Z', [
      variantResult('traced', [['COPY', 40 * MIB]]),
      variantResult('expert', [['COPY', 59 * MIB]]),
    ]);
    const removed = {
      ...buildRecord('b6', '2026-01-06T09:00:00Z', [variantResult('default', [['COPY', 1]])]),
      imagesRemoved: true,
    };
    expect(choices([...history, traced, removed])).toEqual([
      ['default', 105 * MIB, 'b3'],
      ['expert', 59 * MIB, 'b5'],
      ['traced', 40 * MIB, 'b5'],
    ]);
    expect(traceSelectors.choices({ history: [] })).toEqual([]);
    expect(traceSelectors.defaultChoice({ history, traces: [], recipe })).toBe('default');
    const traces = [traceRecord({ variant: 'old' }), traceRecord({ variant: 'expert' })];
    expect(traceSelectors.defaultChoice({ history, traces, recipe })).toBe('expert');
  });

  const empty = { traces: [], jobs: {}, traceJobId: undefined, traceRequest: undefined };

  it('shows the stored record when nothing runs, nothing when the variant was never traced', () => {
    const traces = [traceRecord()];
    expect(traceSelectors.view({ ...empty, traces }, 'default')).toMatchObject({
      phase: 'idle',
      record: traces[0],
      report: traces[0]!.report,
    });
    expect(traceSelectors.view({ ...empty, traces }, 'expert')).toEqual({
      phase: 'idle',
      suggesting: false,
    });
  });

  it('follows the job of the chosen variant: progress, its report before done, then the record', () => {
    const report = traceReport();
    const running = {
      ...empty,
      traceJobId: 'trace-1',
      traceRequest: { variant: 'default', suggest: true },
      jobs: { 'trace-1': job({ progress: { message: 'Tracing the checks', fraction: 0.4 } }) },
    };
    expect(traceSelectors.view(running, 'default')).toEqual({
      phase: 'running',
      suggesting: true,
      jobId: 'trace-1',
      progress: { message: 'Tracing the checks', fraction: 0.4 },
    });
    // Another variant is not the job's.
    expect(traceSelectors.view(running, 'expert').phase).toBe('idle');
    const reported = { ...running, jobs: { 'trace-1': job({ report }) } };
    expect(traceSelectors.view(reported, 'default').report).toBe(report);
    const record = suggestedRecord(true);
    const done = { ...running, jobs: { 'trace-1': job({ state: 'succeeded', result: record }) } };
    expect(traceSelectors.view(done, 'default')).toMatchObject({ phase: 'succeeded', record });
  });

  it('keeps the stored record under a failed or cancelled trace, and a refused start', () => {
    const traces = [traceRecord()];
    const failed = {
      ...empty,
      traces,
      traceJobId: 'trace-1',
      traceRequest: { variant: 'default', suggest: false },
      jobs: { 'trace-1': job({ state: 'failed', error: 'The engine is gone.' }) },
    };
    expect(traceSelectors.view(failed, 'default')).toMatchObject({
      phase: 'failed',
      error: 'The engine is gone.',
      record: traces[0],
    });
    const cancelled = { ...failed, jobs: { 'trace-1': job({ state: 'cancelled' }) } };
    expect(traceSelectors.view(cancelled, 'default').phase).toBe('cancelled');
    const refused = {
      ...empty,
      traceError: 'No such variant.',
      traceRequest: { variant: 'x', suggest: false },
    };
    expect(traceSelectors.view(refused, 'x')).toMatchObject({
      phase: 'failed',
      error: 'No such variant.',
    });
  });

  it('puts the limit beside the very image that was traced', () => {
    const traces = [traceRecord()];
    expect(traceSelectors.limitFor({ traces }, 'sha256:default')).toBe(50 * MIB);
    expect(traceSelectors.limitFor({ traces }, 'sha256:expert')).toBeUndefined();
    expect(traceSelectors.limitFor({ traces }, undefined)).toBeUndefined();
  });

  it('reads the report: unused bytes, rules that remove used files worst first, rule titles', () => {
    const report: TraceReport = traceReport();
    expect(traceSelectors.unusedBytes(report)).toBe(55 * MIB);
    expect(traceSelectors.rulesRemovingUsed(report).map((r) => r.id)).toEqual([
      'pycache',
      'libpython',
    ]);
    expect(traceSelectors.ruleShares({ pycache: 2, 'package-tests': 15, gone: 0 })).toEqual([
      { id: 'package-tests', title: 'Package test suites (site-packages/*/tests)', bytes: 15 },
      { id: 'pycache', title: 'Python bytecode caches (__pycache__)', bytes: 2 },
    ]);
  });

  it('draws each built variant against the limit, with the re-checked suggestion', () => {
    const recipe = {
      ...defaultRecipe(),
      variants: ['default', 'expert'].map((id) => ({ id, prune: defaultRecipe().prune })),
    };
    const choices = traceSelectors.choices({ history, recipe });
    expect(traceSelectors.limitBars(suggestedRecord(true), choices)).toEqual([
      { label: 'default', bytes: 105 * MIB, traced: true },
      { label: 'expert', bytes: 60 * MIB, traced: false },
      { label: 'traced (suggested)', bytes: 70 * MIB, traced: false },
    ]);
    // A suggestion that failed its re-check is not drawn; an image no longer built is.
    const older = { ...suggestedRecord(false), imageId: 'sha256:gone' };
    expect(traceSelectors.limitBars(older, choices).map((b) => b.label)).toEqual([
      'default (traced image)',
      'default',
      'expert',
    ]);
  });
});

describe('describeTraceError', () => {
  it('says a variant without a built image must be built first, on the Build screen', () => {
    // The service's message names the CLI; the app names its own screen instead.
    expect(
      describeTraceError({
        code: 'NOT_FOUND',
        message:
          'No built image of variant "x" is on the engine: build it first (condense build --variant x), then trace it.',
        details: { variant: 'x' },
      }),
    ).toBe(
      'No built image of the variant x is on the engine: build it on the Build screen first, then trace it.',
    );
    // A variant condense.yml no longer has: the service's own words.
    const gone = 'condense.yml has no variant "x": trace one of default.';
    expect(
      describeTraceError({ code: 'NOT_FOUND', message: gone, details: { field: 'variant' } }),
    ).toBe(gone);
  });

  it('adds the tracing next step to the other failures', () => {
    expect(describeTraceError({ code: 'ENGINE_UNAVAILABLE', message: 'No engine.' })).toBe(
      'No engine. Start Docker (or set DOCKER_HOST) and try again.',
    );
  });
});
