import { describe, expect, it } from 'vitest';

import { CondenseError } from '../../../shared/api/errors';
import { stepSpans } from '../screens/build/Timeline';
import { createFakeApi } from '../test-support/fake-api';
import { lockedPackage, projectHandlers, savingsReport } from '../test-support/project-fixture';
import { createAppStore } from '.';
import { smokeSpec } from './build-slice';

/** A store whose frame flushes run when the test says so. */
function setup(overrides: Parameters<typeof createFakeApi>[0] = {}) {
  const fake = createFakeApi({ ...projectHandlers(), ...overrides });
  const frames: (() => void)[] = [];
  const store = createAppStore({ api: fake.api, schedule: (f) => frames.push(f) });
  const flush = () => frames.splice(0).forEach((f) => f());
  return { fake, store, flush };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('store: project opening', () => {
  it('opens a project and loads environment, lock, recipe and history, then analyzes', async () => {
    const { fake, store } = setup();
    await store.getState().openProject('/home/me/churn');
    const s = store.getState();
    expect(s.screen).toBe('environment');
    expect(s.environment?.channels).toEqual(['conda-forge', 'bioconda']);
    expect(s.lockPackages.map((p) => p.name)).toEqual(['python', 'numpy']);
    expect(s.recipe?.builderImage).toContain('miniforge');
    expect(s.dockerfile).toMatch(/^FROM /m);
    expect(fake.callsOf('recipe:analyze')).toHaveLength(1);
    expect(s.analyzeJobId).toBe('analyze-1');
  });

  it('shows the service error with the next step instead of opening', async () => {
    const { store } = setup({
      'project:open': () => {
        throw new CondenseError('NOT_FOUND', 'No environment.yml in /nope.');
      },
    });
    await store.getState().openProject('/nope');
    expect(store.getState().project).toBeUndefined();
    expect(store.getState().projectError).toBe(
      'No environment.yml in /nope. Check the path or pick another folder.',
    );
  });
});

describe('store: the Python field', () => {
  it('writes 3.11 as python=3.11 (3.11.* to conda) and shows 3.11.* as 3.11', async () => {
    const { fake, store } = setup();
    const lastEdits = () =>
      (fake.callsOf('environment:update').at(-1) as { edits?: unknown } | undefined)?.edits;
    await store.getState().openProject('/home/me/churn');
    await store.getState().setPython('3.11');
    expect(lastEdits()).toEqual([{ setDependency: 'python=3.11' }]);
    await store.getState().setPython('>=3.10,<3.13');
    expect(lastEdits()).toEqual([{ setDependency: 'python>=3.10,<3.13' }]);
  });
});

describe('store: job events (the replay buffer)', () => {
  it('batches events per frame, drops duplicates by seq and keeps every log line', async () => {
    const { fake, store, flush } = setup({
      'build:start': () => ({ jobId: 'b1' }),
      'recipe:generate': () => ({
        dockerfile: 'FROM x',
        classicDockerfile: 'FROM x',
        dockerignore: '',
        variants: [],
      }),
    });
    await store.getState().openProject('/p');
    await store.getState().startBuild(['default']);
    const first = fake.emit('b1', 'build', 'log', {
      step: '',
      time: '',
      stream: 'stdout',
      text: 'line 1',
    });
    fake.emit('b1', 'build', 'log', {
      step: '',
      time: '',
      stream: 'stdout',
      text: 'line 2\nline 3',
    });
    expect(store.getState().logs.get('b1')).toBeUndefined();
    fake.resend(first);
    flush();
    const log = store.getState().logs.get('b1')!;
    expect(log.slice(0, 10)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(store.getState().jobs.b1!.lastSeq).toBe(2);
  });

  it('keeps a build step timeline and the finished variants', () => {
    const { fake, store, flush } = setup();
    store.getState().trackJob('b2', 'build');
    fake.emit('b2', 'build', 'step', {
      id: 'v1',
      name: '[conda 1/3] RUN mamba create',
      cached: false,
      started: '2026-01-01T00:00:00Z',
    });
    fake.emit('b2', 'build', 'step', {
      id: 'v1',
      name: '[conda 1/3] RUN mamba create',
      cached: false,
      started: '2026-01-01T00:00:00Z',
      completed: '2026-01-01T00:00:02.500Z',
    });
    fake.emit('b2', 'build', 'step', { id: 'v2', name: 'COPY', cached: true });
    fake.emit('b2', 'build', 'variant', {
      id: 'slim',
      layers: [],
      state: 'succeeded',
      rules: [],
      tags: [],
      durationMs: 1,
      cachedSteps: 0,
      totalSteps: 1,
    });
    flush();
    const job = store.getState().jobs.b2!;
    expect(job.steps.map((s) => [s.id, s.state])).toEqual([
      ['v1', 'done'],
      ['v2', 'cached'],
    ]);
    expect(job.steps[0]!.completedAt! - job.steps[0]!.startedAt!).toBe(2500);
    expect(job.variants.map((v) => v.id)).toEqual(['slim']);
    expect(job.state).toBe('running');
    fake.emit('b2', 'build', 'failed', { code: 'BUILD_FAILED', message: 'step 2 failed' });
    flush();
    expect(store.getState().jobs.b2!.state).toBe('failed');
    // The service's words, then the next step chosen by the code.
    expect(store.getState().jobs.b2!.error).toBe(
      'step 2 failed Read the log for the failing step; disable risky prune rules and rebuild.',
    );
  });

  it('diffs a relock against the lock before it and re-measures the savings', async () => {
    let packages = [lockedPackage('python', '3.11.8', 10), lockedPackage('six', '1.16', 1)];
    const { fake, store, flush } = setup({
      'lock:start': () => ({ jobId: 'l1' }),
      'lock:read': () => ({ packages, platforms: ['linux-64'], channels: [] }),
    });
    await store.getState().openProject('/p');
    await store.getState().startLock();
    packages = [lockedPackage('python', '3.11.9', 10), lockedPackage('numpy', '1.26', 5)];
    fake.emit('l1', 'lock', 'progress', { message: 'solving', fraction: 0.5 });
    flush();
    expect(store.getState().jobs.l1!.progress).toEqual({ message: 'solving', fraction: 0.5 });
    fake.emit('l1', 'lock', 'done', { engine: 'builtin' });
    flush();
    await settle();
    await settle();
    const diff = store.getState().lockDiff!;
    expect(diff.added.map((p) => p.name)).toEqual(['numpy']);
    expect(diff.removed.map((p) => p.name)).toEqual(['six']);
    expect(diff.changed.map((c) => [c.name, c.from.version, c.to.version])).toEqual([
      ['python', '3.11.8', '3.11.9'],
    ]);
    expect(fake.callsOf('recipe:analyze')).toHaveLength(2);
  });

  it('takes the savings from the analyze job it started, not from an older one', async () => {
    const { fake, store, flush } = setup();
    await store.getState().openProject('/p');
    const report = savingsReport();
    fake.emit('old-analyze', 'analyze', 'done', { ...report, environmentBytes: 1 });
    fake.emit('analyze-1', 'analyze', 'done', report);
    flush();
    expect(store.getState().savings?.environmentBytes).toBe(report.environmentBytes);
  });
});

describe('store: recipe editing', () => {
  it('updates the preview at once and saves the recipe', async () => {
    const { fake, store } = setup();
    await store.getState().openProject('/p');
    const before = store.getState().dockerfile;
    const pending = store.getState().toggleRule('libpython');
    expect(store.getState().dockerfile).not.toBe(before);
    expect(store.getState().dockerfile).toContain('libpython');
    await pending;
    const saved = fake.callsOf('recipe:save').at(-1) as { recipe: { prune: { add: string[] } } };
    expect(saved.recipe.prune.add).toContain('libpython');
  });

  it('refuses a variant name that cannot be part of an image tag', async () => {
    const { fake, store } = setup();
    await store.getState().openProject('/p');
    await store.getState().addVariant('Slim Image');
    expect(store.getState().recipeError).toMatch(/cannot name a variant/);
    expect(fake.callsOf('recipe:save')).toHaveLength(0);
    await store.getState().addVariant('slim');
    expect(store.getState().recipe?.variants.map((v) => v.id)).toEqual(['default', 'slim']);
  });

  it('sends the project and the chosen variant ids to build:start, classic when BuildKit is off', async () => {
    const { fake, store } = setup({
      'recipe:generate': () => ({
        dockerfile: 'BK',
        classicDockerfile: 'CL',
        dockerignore: '',
        variants: [{ id: 'a' }, { id: 'b' }],
      }),
      'build:start': () => ({ jobId: 'b9' }),
    });
    await store.getState().openProject('/p');
    store.getState().setUseBuildKit(false);
    await store.getState().startBuild(['b']);
    // Never Dockerfile text: the service generates it from condense.yml.
    expect(fake.callsOf('build:start')[0]).toEqual({
      projectDir: '/p',
      variants: ['b'],
      classic: true,
    });
    expect(store.getState().screen).toBe('build');
  });
});

describe('smokeSpec', () => {
  it('splits module names, parses the command, and is undefined when nothing is asked', () => {
    expect(smokeSpec('numpy, sklearn.linear_model  pandas', '')).toEqual({
      modules: ['numpy', 'sklearn.linear_model', 'pandas'],
    });
    expect(smokeSpec('', '["/env/bin/app", "--help"]')).toEqual({
      command: ['/env/bin/app', '--help'],
    });
    expect(smokeSpec(' ', ' ')).toBeUndefined();
  });

  it('says what is wrong with a module name or a shell-string command', () => {
    expect(smokeSpec('scikit-learn', '')).toMatch(/"scikit-learn" is not a Python module name/);
    expect(smokeSpec('', 'app --help')).toMatch(/JSON list of strings/);
  });
});

describe('store: environment edits', () => {
  it('applies quick successive channel edits in order, each on the result of the previous', async () => {
    const { fake, store } = setup();
    await store.getState().openProject('/p');
    // Two clicks before the first answer comes back.
    const first = store.getState().addChannel('http://127.0.0.1:9/synthetic/');
    const second = store.getState().removeChannel('conda-forge');
    await Promise.all([first, second]);
    expect(store.getState().environment?.channels).toEqual([
      'bioconda',
      'http://127.0.0.1:9/synthetic',
    ]);
    expect(fake.callsOf('environment:update')).toHaveLength(2);
  });
});

describe('stepSpans', () => {
  it('places steps on the build time axis, a running step reaching now', () => {
    const spans = stepSpans(
      [
        { id: 'a', name: 'a', state: 'done', startedAt: 1000, completedAt: 3000 },
        { id: 'b', name: 'b', state: 'running', startedAt: 2000 },
        { id: 'c', name: 'c', state: 'cached' },
      ],
      5000,
    );
    expect(spans.get('a')).toEqual({ left: 0, width: 0.5 });
    expect(spans.get('b')).toEqual({ left: 0.25, width: 0.75 });
    expect(spans.has('c')).toBe(false);
  });
});
