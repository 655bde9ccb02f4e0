import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { BuildRecord, SmokeResult, VariantResult } from '../../../shared/api/build';
import { buildRecord, variantResult } from '../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

function smoke(passed: boolean, output = ''): SmokeResult {
  return {
    passed,
    modules: ['click', 'numpy'],
    checks: [
      {
        kind: 'imports',
        command: ['/env/bin/python', '-c', 'import click, numpy'],
        passed,
        exitCode: passed ? 0 : 1,
        output,
        durationMs: 300,
      },
    ],
  };
}

function variant(id: string, rules: string[], extra: Partial<VariantResult>): VariantResult {
  return { ...variantResult(id, [['COPY', 40 * MIB]]), rules, ...extra };
}

/** The app with a history of the given builds, opened on a project. */
async function openWithHistory(records: BuildRecord[]) {
  const { fake, user } = renderApp(historyHandlers(records));
  await openProject(user);
  return { go: (step: RegExp) => goTo(user, step), fake, user };
}

const missingCore = "ImportError: cannot import name 'multiarray' from 'numpy.core'";

const records = [
  buildRecord('b-old', '2026-01-01T09:00:00Z', [
    // An older build blamed pycache; only the newest build counts on the Image screen.
    variant('a', [], { smoke: smoke(true) }),
    variant('b', ['pycache'], { smoke: smoke(false, 'old failure') }),
  ]),
  buildRecord('b-new', '2026-01-02T09:00:00Z', [
    variant('safe', ['pycache'], { smoke: smoke(true) }),
    variant('expert', ['pycache', 'pip'], { smoke: smoke(false, `Traceback\n${missingCore}\n`) }),
    variant('broken', ['pycache', 'custom:lib/python3.11/site-packages/numpy/core'], {
      smoke: smoke(false, missingCore),
    }),
    variant('bare', [], { smokeSkipped: 'no Python in the lock: nothing to import' }),
  ]),
];

describe('smoke tests on the Results and Image screens', () => {
  it('shows the imported modules, the failure and why a test did not run', async () => {
    const { go } = await openWithHistory(records);
    await go(/Results/);
    const table = screen.getByRole('table', { name: 'Variants compared' });
    const smokeCells = within(table)
      .getAllByRole('row')
      .filter((row) => within(row).queryAllByRole('cell').length > 0)
      .map((row) => row.lastElementChild?.textContent);
    expect(smokeCells.slice(0, 4)).toEqual([
      'passed, imported click, numpy',
      `failed: /env/bin/python -c import click, numpy exited 1: ${missingCore} (imported click, numpy)`,
      `failed: /env/bin/python -c import click, numpy exited 1: ${missingCore} (imported click, numpy)`,
      'not run: no Python in the lock: nothing to import',
    ]);
  });

  it('marks the rules the newest build blames next to them, custom globs after the catalog', async () => {
    const { go } = await openWithHistory(records);
    await go(/Image/);
    const rules = screen.getByRole('list', { name: 'Prune rules' });
    const items = within(rules).getAllByRole('listitem');
    const pip = items.find((li) => li.textContent?.includes('pip (site-packages/pip)'))!;
    expect(within(pip).getByRole('note')).toHaveTextContent(
      `Broke the smoke test in build b-new (expert failed, safe passed without it): ${missingCore}`,
    );
    const custom = items.find((li) => li.textContent?.startsWith('custom:'))!;
    expect(custom).toHaveTextContent('custom:lib/python3.11/site-packages/numpy/core');
    expect(within(custom).getByRole('note')).toHaveTextContent(
      /^Broke the smoke test in build b-new \(broken failed/,
    );
    // pycache passed in the newest build's safe variant: not blamed, whatever the old build said.
    const pycache = items.find((li) => li.textContent?.includes('bytecode'))!;
    expect(within(pycache).queryByRole('note')).toBeNull();
    expect(within(rules).getAllByRole('note')).toHaveLength(2);
  });
});

describe('custom prune rules on the Image screen', () => {
  it('adds a glob to the rules being edited, lists it, removes it, and refuses a glob leaving the prefix', async () => {
    const { go, fake, user } = await openWithHistory([]);
    await go(/Image/);
    const field = screen.getByRole('textbox', { name: /Custom prune glob/ });
    await user.type(field, '../etc');
    await user.click(screen.getByRole('button', { name: 'Add custom rule' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /custom prune glob "..\/etc" must be relative|must not contain empty, "." or ".." segments/,
    );
    expect(fake.callsOf('recipe:save')).toHaveLength(0);
    await user.clear(field);
    await user.type(field, 'lib/python3.11/site-packages/numpy/core');
    await user.click(screen.getByRole('button', { name: 'Add custom rule' }));
    const rules = screen.getByRole('list', { name: 'Prune rules' });
    await within(rules).findByText('lib/python3.11/site-packages/numpy/core');
    const saved = fake.callsOf('recipe:save').at(-1) as { recipe: { prune: { custom: string[] } } };
    expect(saved.recipe.prune.custom).toEqual(['lib/python3.11/site-packages/numpy/core']);
    expect(field).toHaveValue('');
    await user.click(
      screen.getByRole('button', {
        name: 'Remove custom rule lib/python3.11/site-packages/numpy/core',
      }),
    );
    expect(within(rules).queryByText('lib/python3.11/site-packages/numpy/core')).toBeNull();
    const last = fake.callsOf('recipe:save').at(-1) as { recipe: { prune: { custom: string[] } } };
    expect(last.recipe.prune.custom).toEqual([]);
  });
});
