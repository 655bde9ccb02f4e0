import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { buildRecord, variantResult } from '../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);

async function openResults(push: () => { jobId: string }) {
  const records: BuildRecord[] = [
    buildRecord('20261102-090000-bbbbbb', '2026-11-02T09:00:00Z', [
      variantResult('safe', [['COPY', 1024]]),
    ]),
  ];
  const rendered = renderApp({
    ...historyHandlers(records),
    'build:images': () => [],
    'delivery:push': push,
  });
  await openProject(rendered.user);
  await goTo(rendered.user, /Results/);
  return rendered;
}

describe('Push on the Results screen', () => {
  it('starts a push job, shows layer progress, then the pushed tags with digests', async () => {
    const { fake, user } = await openResults(() => ({ jobId: 'push-1' }));
    const panel = screen.getByRole('region', { name: 'Push to a registry' });
    const button = within(panel).getByRole('button', { name: 'Push' });
    expect(button).toBeDisabled();
    await user.type(within(panel).getByLabelText('Registry'), ' 127.0.0.1:5000 ');
    await user.click(button);
    expect(fake.callsOf('delivery:push')).toEqual([
      { projectDir: expect.any(String) as unknown, registry: '127.0.0.1:5000' },
    ]);
    act(() => {
      fake.emit('push-1', 'push', 'push', {
        variant: 'safe',
        tag: 'r/churn:safe',
        layer: 'abc123',
        status: 'Pushing',
        current: 50,
        total: 100,
      });
    });
    expect(await within(panel).findByRole('status')).toHaveTextContent(
      'r/churn:safe layer abc123: Pushing',
    );
    expect(within(panel).getByRole('button', { name: 'Cancel push' })).toBeInTheDocument();
    act(() => {
      fake.emit('push-1', 'push', 'done', [
        { variant: 'safe', tag: 'r/churn:safe', digest: 'sha256:' + 'a'.repeat(64) },
      ]);
    });
    const list = await within(panel).findByRole('list', { name: 'Pushed tags' });
    expect(list).toHaveTextContent('r/churn:safe');
    expect(list).toHaveTextContent('sha256:aaaa');
  });

  it('shows why a push could not start or failed', async () => {
    const { fake, user } = await openResults(() => {
      throw new CondenseError('INVALID_INPUT', '"x y" is not a registry: give host[:port][/path]');
    });
    const panel = screen.getByRole('region', { name: 'Push to a registry' });
    await user.type(within(panel).getByLabelText('Registry'), 'x y');
    await user.click(within(panel).getByRole('button', { name: 'Push' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent('is not a registry');
    fake.handlers['delivery:push'] = () => ({ jobId: 'push-2' });
    await user.click(within(panel).getByRole('button', { name: 'Push' }));
    act(() => {
      fake.emit('push-2', 'push', 'failed', {
        code: 'UNAUTHORIZED',
        message: 'The registry x refused the push: log in with docker login x',
      });
    });
    expect(await within(panel).findByRole('alert')).toHaveTextContent('docker login x');
  });
});
