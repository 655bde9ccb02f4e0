import { describe, expect, it } from 'vitest';

import { createFakeApi } from '../test-support/fake-api';
import { projectHandlers } from '../test-support/project-fixture';
import { suggestedRecord, traceRecord, traceReport } from '../test-support/trace-fixture';
import { createAppStore } from '.';

async function setup() {
  const older = traceRecord({ tracedAt: '2026-01-01T10:00:00Z' });
  const fake = createFakeApi({
    ...projectHandlers(),
    'trace:list': () => [traceRecord({ variant: 'expert' }), older],
    'trace:start': () => ({ jobId: 'trace-1' }),
  });
  const store = createAppStore({ api: fake.api, schedule: (f) => f() });
  await store.getState().openProject('/home/me/churn');
  await store.getState().loadTraces();
  return { fake, store, older };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('store: trace jobs', () => {
  it('keeps the report sent before done, then puts the new record first in place of the old', async () => {
    const { fake, store, older } = await setup();
    expect(store.getState().traces.map((t) => t.variant)).toEqual(['expert', 'default']);
    await store.getState().startTrace('default', { suggest: true });
    expect(store.getState().traceRequest).toEqual({ variant: 'default', suggest: true });
    const report = traceReport();
    fake.emit('trace-1', 'trace', 'report', report);
    expect(store.getState().jobs['trace-1']).toMatchObject({
      job: 'trace',
      state: 'running',
      report,
    });
    const reads = fake.callsOf('recipe:get').length;
    const analyses = fake.callsOf('recipe:analyze').length;
    const record = suggestedRecord(true);
    fake.emit('trace-1', 'trace', 'done', record);
    await settle();
    await settle();
    const traces = store.getState().traces;
    expect(traces[0]).toBe(record);
    expect(traces).not.toContain(older);
    expect(traces.map((t) => t.variant)).toEqual(['default', 'expert']);
    // The verified suggestion was written into condense.yml: read it again, and measure the new
    // variant's custom globs (the file watcher sees the revision already read and does not).
    expect(fake.callsOf('recipe:get').length).toBe(reads + 1);
    await expect.poll(() => fake.callsOf('recipe:analyze').length).toBe(analyses + 1);
  });

  it('keeps the bar where it was when a sub-step reports only a message, and never moves it back', async () => {
    const { fake, store } = await setup();
    await store.getState().startTrace('default', { suggest: true });
    const progress = () => store.getState().jobs['trace-1']?.progress;
    fake.emit('trace-1', 'trace', 'progress', { message: 'Preparing the tracer', fraction: 0.05 });
    fake.emit('trace-1', 'trace', 'progress', { message: 'Locking the tracer (strace)' });
    expect(progress()).toEqual({ message: 'Locking the tracer (strace)', fraction: 0.05 });
    fake.emit('trace-1', 'trace', 'progress', {
      message: 'Building the traced variant',
      fraction: 0.7,
    });
    // The suggested variant's build reports its own fractions.
    fake.emit('trace-1', 'trace', 'progress', { message: 'Step 2/9', fraction: 0.2 });
    expect(progress()).toEqual({ message: 'Step 2/9', fraction: 0.7 });
  });

  it('words a failed trace for tracing, and leaves condense.yml alone when the re-check failed', async () => {
    const { fake, store } = await setup();
    await store.getState().startTrace('default');
    fake.emit('trace-1', 'trace', 'failed', {
      code: 'NOT_FOUND',
      message:
        'No built image of variant "default" is on the engine: build it first (condense build --variant default), then trace it.',
      details: { variant: 'default' },
    });
    expect(store.getState().jobs['trace-1']?.error).toBe(
      'No built image of the variant default is on the engine: build it on the Build screen first, then trace it.',
    );
    fake.handlers['trace:start'] = () => ({ jobId: 'trace-2' });
    await store.getState().startTrace('default', { suggest: true });
    const reads = fake.callsOf('recipe:get').length;
    fake.emit('trace-2', 'trace', 'done', suggestedRecord(false));
    await settle();
    expect(store.getState().traces[0]?.verified?.passed).toBe(false);
    expect(fake.callsOf('recipe:get')).toHaveLength(reads);
  });
});
