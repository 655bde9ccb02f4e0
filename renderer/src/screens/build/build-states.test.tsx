import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { SmokeResult } from '../../../../shared/api/build';
import { variantResult } from '../../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

async function startedBuild() {
  const app = renderApp({
    'recipe:generate': () => ({
      dockerfile: 'FROM a',
      classicDockerfile: 'FROM a',
      dockerignore: '',
      variants: [],
    }),
    'build:start': () => ({ jobId: 'b1' }),
  });
  await openProject(app.user);
  await goTo(app.user, /Build/);
  await app.user.click(screen.getByRole('button', { name: 'Start build' }));
  const emit = (kind: string, data: unknown) =>
    act(() => void app.fake.emit('b1', 'build', kind, data));
  return { ...app, emit };
}

const status = () => screen.getByRole('status', { name: 'Build status' });
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function stepStates(): string[] {
  return within(screen.getByRole('list', { name: 'Build steps' }))
    .getAllByRole('listitem')
    .map(
      (li) =>
        `${li.querySelector('.step-name')?.textContent}: ${li.querySelector('.step-status')?.textContent}`,
    );
}

function emitSteps(emit: (kind: string, data: unknown) => void) {
  emit('step', { id: 'a', name: 'FROM base', cached: true });
  emit('step', {
    id: 'b',
    name: 'RUN mamba create',
    cached: false,
    started: at(0),
    completed: at(3),
  });
  emit('step', { id: 'c', name: 'RUN prune', cached: false, started: at(3) });
  emit('step', { id: 'd', name: 'COPY /env /env', cached: false });
}

const smoke = (passed: boolean): SmokeResult => ({
  passed,
  checks: [
    {
      kind: 'imports',
      command: ['/env/bin/python', '-c', 'import numpy'],
      passed,
      exitCode: passed ? 0 : 1,
      output: passed ? '' : 'ModuleNotFoundError: numpy',
      durationMs: 1,
    },
  ],
});

describe('Build screen states', () => {
  it('tells waiting, running, done and cached steps apart while the build runs', async () => {
    const { emit } = await startedBuild();
    emitSteps(emit);
    expect(stepStates()).toEqual([
      'FROM base: cached',
      'RUN mamba create: 3.0 s',
      'RUN prune: running',
      'COPY /env /env: waiting',
    ]);
    expect(status()).toHaveTextContent('Building…');
  });

  it('leaves nothing "running" after a cancel', async () => {
    const { emit, user, fake } = await startedBuild();
    emitSteps(emit);
    await user.click(screen.getByRole('button', { name: 'Cancel build' }));
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'b1' }]);
    emit('cancelled', { message: 'Cancelled.' });
    expect(stepStates()).toEqual([
      'FROM base: cached',
      'RUN mamba create: 3.0 s',
      'RUN prune: not finished',
      'COPY /env /env: not run',
    ]);
    expect(status()).toHaveTextContent('Build cancelled.');
    expect(screen.queryByRole('button', { name: 'Cancel build' })).not.toBeInTheDocument();
  });

  it('fails the running step when the engine fails, and says so in red', async () => {
    const { emit } = await startedBuild();
    emitSteps(emit);
    emit('failed', { code: 'ENGINE_UNAVAILABLE', message: 'The Docker engine stopped answering.' });
    expect(stepStates()).toEqual([
      'FROM base: cached',
      'RUN mamba create: 3.0 s',
      'RUN prune: failed',
      'COPY /env /env: not run',
    ]);
    expect(status()).toHaveTextContent('Build failed.');
    expect(status()).toHaveClass('build-status-failed');
    expect(screen.getByRole('alert')).toHaveTextContent('The Docker engine stopped answering.');
  });

  it('shows a failed smoke test as a failure, not as a finished build', async () => {
    const { emit } = await startedBuild();
    emit('variant', {
      ...variantResult('default', [['COPY /env /env', 40 * MIB]]),
      smoke: smoke(false),
    });
    emit('done', {});
    expect(status()).toHaveTextContent('Smoke test failed for default');
    expect(status()).not.toHaveTextContent('Build finished');
    expect(status()).toHaveClass('build-status-failed');
    expect(screen.getByRole('list', { name: 'Smoke tests' })).toHaveTextContent(
      'default: failed: /env/bin/python -c import numpy exited 1: ModuleNotFoundError: numpy',
    );
  });

  it('says a build finished when every variant built and passed', async () => {
    const { emit } = await startedBuild();
    emit('variant', {
      ...variantResult('default', [['COPY /env /env', 40 * MIB]]),
      smoke: smoke(true),
    });
    emit('done', {});
    expect(status()).toHaveTextContent('Build finished: 1 variant built, smoke tests passed.');
    expect(status()).toHaveClass('build-status-ok');
  });

  it("draws each variant's layer chart as soon as its image is built, during the build", async () => {
    const { emit } = await startedBuild();
    expect(screen.getByText('Its layers appear here when its image is built.')).toBeInTheDocument();
    emit('variant', variantResult('default', [['COPY /env /env # buildkit', 40 * MIB]]));
    expect(status()).toHaveTextContent('Building…');
    expect(screen.getByRole('img', { name: 'Layer sizes of default' })).toHaveTextContent(
      '40.0 MiB',
    );
  });
});
