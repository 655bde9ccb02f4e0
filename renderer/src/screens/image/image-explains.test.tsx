import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { RuleSaving } from '../../../../shared/api/recipe';
import { ENVIRONMENT, savingsReport } from '../../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../../test-support/render-app';

afterEach(cleanup);

const MIB = 1024 * 1024;

async function openImage(extra: Parameters<typeof renderApp>[0] = {}) {
  const app = renderApp(extra);
  await openProject(app.user);
  await goTo(app.user, /Image/);
  act(() => void app.fake.emit('analyze-1', 'analyze', 'done', savingsReport()));
  await screen.findByRole('meter', { name: 'Estimated environment size' });
  return app;
}

describe('Image screen explains itself', () => {
  it('explains rules, presets and variants, and keeps size and Dockerfile in one panel', async () => {
    await openImage();
    expect(screen.getByText('What prune rules, presets and variants are')).toBeInTheDocument();
    const panel = screen.getByRole('complementary', { name: 'Estimated size and Dockerfile' });
    expect(panel).toHaveClass('sticky-panel');
    expect(within(panel).getByRole('meter')).toBeInTheDocument();
    expect(within(panel).getByLabelText('Dockerfile preview')).toBeInTheDocument();
  });

  it('folds rules that remove nothing here under "not applicable"', async () => {
    await openImage();
    const main = within(screen.getByRole('list', { name: 'Prune rules' }));
    const folded = within(screen.getByRole('list', { name: 'Rules not applicable here' }));
    expect(main.getByRole('switch', { name: /libpython/i })).toBeInTheDocument();
    // The fixture has no site-packages/pip: its rule is folded, still switchable.
    expect(main.queryByRole('switch', { name: /^pip/ })).not.toBeInTheDocument();
    expect(folded.getByRole('switch', { name: /^pip/ })).toBeInTheDocument();
    expect(screen.getByText(/^Not applicable here \(\d+\)/)).toBeInTheDocument();
  });

  it('says when the safe preset removes a program the user asked for, and keeps it on request', async () => {
    const { user, store } = await openImage({
      'environment:read': () => ({
        text: '',
        revision: 'e1',
        spec: {
          ...ENVIRONMENT,
          dependencies: [...ENVIRONMENT.dependencies, { raw: 'sqlite', name: 'sqlite' }],
        },
      }),
    });
    const report = savingsReport();
    // The analysis found bin/sqlite3, owned by sqlite.
    report.rules = report.rules.map((r) =>
      r.ruleId === 'sqlite3-cli'
        ? { ...r, bytes: MIB, files: 1, owners: [{ name: 'sqlite', bytes: MIB, files: 1 }] }
        : r,
    );
    act(() => store.getState().analyzeFinished('analyze-1', report));
    await user.click(screen.getByRole('button', { name: 'Safe' }));
    const note = await screen.findByRole('note', { name: 'Programs you asked for' });
    expect(note).toHaveTextContent('the sqlite3 shell (from sqlite)');
    expect(note).not.toHaveTextContent('openssl');
    await user.click(within(note).getByRole('button', { name: 'Keep the sqlite3 shell' }));
    expect(screen.queryByRole('note', { name: 'Programs you asked for' })).not.toBeInTheDocument();
    expect(screen.getByRole('switch', { name: /sqlite3 command-line shell/ })).not.toBeChecked();
  });

  it('estimates a custom glob as it is typed', async () => {
    const glob = 'lib/python3.11/site-packages/numpy/tests';
    const { user, fake } = await openImage({
      'recipe:estimateGlobs': ({ globs }): RuleSaving[] =>
        globs.map((g) => ({
          ruleId: `custom:${g}`,
          title: g,
          risk: 'high',
          bytes: g === glob ? 4 * MIB : 0,
          files: g === glob ? 1 : 0,
          owners: g === glob ? [{ name: 'numpy', bytes: 4 * MIB, files: 1 }] : [],
        })),
    });
    const input = screen.getByRole('textbox', { name: 'Custom prune glob' });
    await user.type(input, glob);
    expect(input).toHaveAccessibleDescription('Would remove 4.00 MiB (1 file from numpy).');
    await user.type(input, 'x');
    expect(input).toHaveAccessibleDescription('Matches nothing in this environment.');
    await user.clear(input);
    await user.type(input, '../etc');
    expect(input).toHaveAccessibleDescription(/This glob .*\.\./);
    expect(fake.callsOf('recipe:estimateGlobs').at(-1)).not.toEqual({ globs: ['../etc'] });
  });

  it('draws the environment by size with what the rules remove', async () => {
    const { user } = await openImage();
    await user.click(screen.getByRole('button', { name: 'No pruning' }));
    const map = screen.getByRole('img', { name: /^Environment by size/ });
    expect(map).toHaveAccessibleName(
      /largest packages python 71.0 MiB, numpy 40.0 MiB; the rules remove 0 B/,
    );
    await user.click(screen.getByRole('switch', { name: /libpython/i }));
    expect(map).toHaveAccessibleName(/the rules remove 20.0 MiB of 111 MiB/);
    expect(map.querySelectorAll('.treemap-removed').length).toBeGreaterThan(0);
  });
});
