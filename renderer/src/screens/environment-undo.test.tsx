import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { goTo, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);

const result = (name: string) => ({
  name,
  versions: ['1.0'],
  builds: [],
  channels: ['conda-forge'],
});

describe('Environment screen: undo, focus, channel notice', () => {
  it('undoes a Remove with the line as it was, focus on Undo', async () => {
    const { user, fake } = renderApp();
    await openProject(user);
    await user.click(screen.getByRole('button', { name: 'Remove numpy' }));
    const undo = await screen.findByRole('button', { name: 'Undo' });
    expect(undo).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Removed numpy.');
    await user.click(undo);
    expect(await screen.findByRole('button', { name: 'Remove numpy' })).toBeInTheDocument();
    expect(fake.callsOf('environment:update').at(-1)).toEqual({
      projectDir: '/home/me/churn',
      edits: [{ setDependency: 'numpy>=1.26' }],
    });
    expect(screen.queryByRole('button', { name: 'Undo' })).not.toBeInTheDocument();
  });

  it('keeps the focus on the result after Add', async () => {
    const { user } = renderApp({
      'channels:search': () => ({ results: [result('pandas')], unreachable: [] }),
    });
    await openProject(user);
    await user.type(screen.getByRole('searchbox', { name: 'Search packages' }), 'pan');
    const add = await screen.findByRole('button', { name: 'Add pandas' });
    await user.click(add);
    expect(await within(add).findByText('Added')).toBeInTheDocument();
    expect(add).toHaveFocus();
    expect(add).toHaveAttribute('aria-disabled', 'true');
  });

  it('shows what the reachable channels have and names the one that failed', async () => {
    const { user } = renderApp({
      'channels:search': () => ({
        results: [result('pandas')],
        unreachable: [{ channel: 'bioconda', message: 'Could not reach bioconda (ECONNREFUSED).' }],
      }),
    });
    await openProject(user);
    await user.type(screen.getByRole('searchbox', { name: 'Search packages' }), 'pan');
    expect(await screen.findByRole('button', { name: 'Add pandas' })).toBeInTheDocument();
    expect(screen.getByRole('note')).toHaveTextContent(
      'Could not search bioconda: showing what the other channels have.',
    );
  });

  it('keeps the focus on Relock while the lock runs', async () => {
    const { user } = renderApp({ 'lock:start': () => ({ jobId: 'l1' }) });
    await openProject(user);
    await goTo(user, /Lock/);
    const relock = screen.getByRole('button', { name: 'Relock' });
    await user.click(relock);
    expect(relock).toHaveFocus();
    expect(relock).toHaveAttribute('aria-disabled', 'true');
  });
});
