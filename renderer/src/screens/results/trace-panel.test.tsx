import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../../shared/api/build';
import { CondenseError } from '../../../../shared/api/errors';
import type { TraceRecord } from '../../../../shared/api/trace';
import { defaultRecipe } from '../../../../shared/recipe/model';
import { buildRecord, variantResult } from '../../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../../test-support/render-app';
import { suggestedRecord, traceRecord, traceReport } from '../../test-support/trace-fixture';

const MIB = 1024 * 1024;

afterEach(cleanup);

const records: BuildRecord[] = [
  buildRecord('b3', '2026-01-03T09:00:00Z', [
    variantResult('default', [
      ['(base)', 5 * MIB],
      ['COPY --from=conda /env /env', 100 * MIB],
    ]),
    variantResult('expert', [
      ['(base)', 5 * MIB],
      ['COPY --from=conda /env /env', 60 * MIB],
    ]),
  ]),
];

// condense.yml has the variants the build made (only those can be traced).
const recipe = {
  ...defaultRecipe(),
  variants: ['default', 'expert'].map((id) => ({ id, prune: defaultRecipe().prune })),
};

async function openPanel(traces: TraceRecord[] = [], start?: () => { jobId: string }) {
  const app = renderApp({
    ...historyHandlers(records),
    'recipe:get': () => ({ recipe, exists: true, issues: [], revision: 'r1' }),
    'trace:list': () => traces,
    'trace:start': start ?? (() => ({ jobId: 'trace-1' })),
  });
  await openProject(app.user);
  await goTo(app.user, /Results/);
  const panel = await screen.findByRole('region', { name: 'What does the image use?' });
  const table = screen.getByRole('table', { name: 'Variants compared' });
  return { ...app, panel, inPanel: within(panel), table };
}

describe('What does the image use? (no trace yet, running, failed, cancelled)', () => {
  it('offers the variants of the latest build and says nothing was traced yet', async () => {
    const { inPanel, table, fake } = await openPanel();
    expect(fake.callsOf('trace:list')).toHaveLength(1);
    const select = inPanel.getByRole('combobox', { name: 'Variant' });
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['default', 'expert']);
    expect(inPanel.getByText('default has not been traced yet', { exact: false })).toBeVisible();
    expect(inPanel.getByRole('button', { name: 'Trace' })).toBeEnabled();
    expect(inPanel.queryByRole('group', { name: 'Figures' })).not.toBeInTheDocument();
    expect(table).not.toHaveTextContent('limit');
  });

  it('starts a trace of the chosen variant, shows its progress, and cancels it', async () => {
    const { inPanel, user, fake } = await openPanel();
    await user.selectOptions(inPanel.getByRole('combobox', { name: 'Variant' }), 'expert');
    await user.click(inPanel.getByRole('button', { name: 'Trace' }));
    expect(fake.callsOf('trace:start')).toEqual([
      { projectDir: '/home/me/churn', variant: 'expert' },
    ]);
    act(() => {
      fake.emit('trace-1', 'trace', 'progress', {
        message: 'Running the service check under strace',
        fraction: 0.5,
      });
    });
    const status = await inPanel.findByRole('status');
    expect(status).toHaveTextContent('Tracing expert: Running the service check under strace');
    expect(within(status).getByRole('progressbar', { name: 'Trace progress' })).toHaveAttribute(
      'value',
      '0.5',
    );
    expect(inPanel.getByRole('button', { name: 'Trace' })).toBeDisabled();
    await user.click(inPanel.getByRole('button', { name: 'Cancel trace' }));
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'trace-1' }]);
    act(() => {
      fake.emit('trace-1', 'trace', 'cancelled', {});
    });
    expect(await inPanel.findByRole('status')).toHaveTextContent(
      'Trace cancelled; nothing was stored.',
    );
    expect(inPanel.queryByRole('button', { name: 'Cancel trace' })).not.toBeInTheDocument();
    expect(inPanel.getByRole('button', { name: 'Trace' })).toBeEnabled();
  });

  it('says a variant whose image is gone must be built first, and why a start was refused', async () => {
    const { inPanel, user, fake } = await openPanel();
    await user.click(inPanel.getByRole('button', { name: 'Trace' }));
    act(() => {
      fake.emit('trace-1', 'trace', 'failed', {
        code: 'NOT_FOUND',
        message:
          'No built image of variant "default" is on the engine: build it first (condense build --variant default), then trace it.',
        details: { variant: 'default' },
      });
    });
    const alert = await inPanel.findByRole('alert');
    expect(alert).toHaveTextContent(
      'No built image of the variant default is on the engine: build it on the Build screen first, then trace it.',
    );
    // Not the generic NOT_FOUND advice about folders, nor the CLI's command.
    expect(alert).not.toHaveTextContent(/folder|condense build/);
    fake.handlers['trace:start'] = () => {
      throw new CondenseError('ENGINE_UNAVAILABLE', 'Docker is not running.');
    };
    await user.click(inPanel.getByRole('button', { name: 'Trace' }));
    expect(await inPanel.findByText(/Docker is not running\. Start Docker/)).toHaveAttribute(
      'role',
      'alert',
    );
  });
});

describe('What does the image use? (a report)', () => {
  it('shows the figures and each variant against the limit, and the limit in the table', async () => {
    const { inPanel, table } = await openPanel([traceRecord()]);
    const figures = inPanel.getByRole('group', { name: 'Figures' });
    const figure = (term: string) =>
      within(figures).getByText(term, { selector: 'dt' }).parentElement!;
    expect(figure('Used')).toHaveTextContent('30.0 MiB');
    expect(figure('Shipped')).toHaveTextContent('105 MiB');
    expect(figure('Shipped')).toHaveTextContent('55.0 MiB of it no check used');
    expect(figure('Base')).toHaveTextContent('20.0 MiB');
    expect(figure('Limit')).toHaveTextContent('50.0 MiB');
    expect(
      inPanel.getByRole('img', {
        name: 'Measured size of each variant against the limit of 50.0 MiB: default 105 MiB (2.1× the limit), expert 65.0 MiB (1.3× the limit)',
      }),
    ).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /^default/ })).toHaveTextContent(
      '105.0 MiB limit 50.0 MiB',
    );
    expect(within(table).getByRole('row', { name: /^expert/ })).not.toHaveTextContent('limit');
  });

  it('draws the treemap with named cells; focus shows path, bytes and the rules that remove it', async () => {
    const { inPanel, user } = await openPanel([traceRecord()]);
    const map = inPanel.getByRole('group', { name: 'Used and unused, by package and folder' });
    const tests = within(map).getByRole('img', {
      name: 'numpy: lib/python3.11/site-packages/numpy/tests, used 0 B of 15.0 MiB shipped; the unused part would be removed by Package test suites (site-packages/*/tests), Python bytecode caches (__pycache__)',
    });
    expect(
      within(map).getByRole('img', { name: /^python: lib, used 6\.00 MiB of 16\.0 MiB shipped$/ }),
    ).toBeInTheDocument();
    // One tab stop for the map, on its largest box; the arrow keys move between boxes.
    while (!map.contains(document.activeElement)) await user.tab();
    expect(document.activeElement).toHaveAccessibleName(/^python: lib\/python3\.11,/);
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(tests);
    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toHaveAccessibleName(
      /^numpy: lib\/python3\.11\/site-packages\/numpy\/core,/,
    );
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(tests);
    expect(
      within(map)
        .getAllByRole('img')
        .filter((c) => c.getAttribute('tabindex') === '0'),
    ).toEqual([tests]);
    const detail = inPanel.getByText(/Turning on/);
    expect(detail.closest('p')).toHaveTextContent(
      'numpy lib/python3.11/site-packages/numpy/tests: used 0 B of 15.0 MiB shipped, 15.0 MiB unused. Turning on Package test suites (site-packages/*/tests) (15.0 MiB), Python bytecode caches (__pycache__) (2.00 MiB) would remove it.',
    );
    // The same numbers as a table.
    const toggle = inPanel.getByRole('button', { name: 'Show as a table' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    const rows = within(
      inPanel.getByRole('table', { name: 'Used and shipped by package and folder' }),
    ).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toContain(
      'numpylib/python3.11/site-packages/numpy/tests0 B15.0 MiBPackage test suites (site-packages/*/tests), Python bytecode caches (__pycache__)',
    );
  });

  it('warns about rules that remove used files, lists the largest unused files and the probes', async () => {
    const { inPanel } = await openPanel([traceRecord()]);
    const warnings = within(
      inPanel.getByRole('list', { name: 'Rules that would remove used files' }),
    ).getAllByRole('listitem');
    expect(warnings.map((w) => w.textContent)).toEqual([
      'Warning: Python bytecode caches (__pycache__) would remove 3.00 MiB that the checks used, for example lib/python3.11/__pycache__/os.cpython-311.pyc, lib/python3.11/__pycache__/re.cpython-311.pyc.',
      'Warning: Shared libpython (lib/libpython*.so*) would remove 2.00 MiB that the checks used, for example lib/libpython3.11.so.1.0.',
    ]);
    const unused = within(inPanel.getByRole('table', { name: 'Largest unused files' }))
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent);
    expect(unused).toEqual([
      '/env/lib/python3.11/site-packages/numpy/tests/test_big.pynumpy9.00 MiB',
      // One unit per column.
      '/env/lib/libpython3.11.apython0.50 MiB',
    ]);
    const probes = within(inPanel.getByRole('list', { name: 'What the checks exercised' }));
    expect(probes.getAllByRole('listitem').map((p) => p.textContent)).toEqual([
      '✓ passed Imports: import numpy imported',
      '✓ passed Service: GET http://127.0.0.1:8000/health 200 in 1.2 s',
    ]);
  });

  it('shows no warning when no rule removes a used file', async () => {
    const report = traceReport();
    const clean = traceRecord({
      report: { ...report, rules: report.rules.map((r) => ({ ...r, usedBytes: 0 })) },
    });
    const { inPanel } = await openPanel([clean]);
    expect(
      inPanel.queryByRole('list', { name: 'Rules that would remove used files' }),
    ).not.toBeInTheDocument();
    expect(inPanel.getByText('No catalog rule would remove a file the checks used.')).toBeVisible();
  });
});

describe('Create the traced variant', () => {
  async function suggest(record: TraceRecord) {
    const app = await openPanel([traceRecord()]);
    const recipeReads = app.fake.callsOf('recipe:get').length;
    const historyReads = app.fake.callsOf('build:list').length;
    await app.user.click(app.inPanel.getByRole('button', { name: 'Create the traced variant' }));
    expect(app.fake.callsOf('trace:start')).toEqual([
      { projectDir: '/home/me/churn', variant: 'default', suggest: true },
    ]);
    act(() => {
      app.fake.emit('trace-1', 'trace', 'report', traceReport());
      app.fake.emit('trace-1', 'trace', 'progress', { message: 'Building the traced variant' });
    });
    expect(await app.inPanel.findByRole('status')).toHaveTextContent(
      'Tracing and building the traced variant of default: Building the traced variant',
    );
    // The report is shown while the suggestion builds.
    expect(app.inPanel.getByRole('group', { name: 'Figures' })).toBeInTheDocument();
    expect(app.inPanel.getByRole('button', { name: 'Create the traced variant' })).toBeDisabled();
    act(() => {
      app.fake.emit('trace-1', 'trace', 'done', record);
    });
    const section = await app.inPanel.findByRole('region', { name: 'The traced variant' });
    return { ...app, section: within(section), recipeReads, historyReads };
  }

  it('shows the groups with reasons, bytes and globs, re-checked and written into condense.yml', async () => {
    const { section, user, fake, recipeReads, historyReads } = await suggest(suggestedRecord(true));
    const rows = within(section.getByRole('table', { name: 'Suggested rules' }))
      .getAllByRole('row')
      .slice(1);
    const cells = rows.map((r) => [
      within(r).getByRole('rowheader').textContent,
      ...within(r)
        .getAllByRole('cell')
        .map((c) => c.querySelector('summary')?.textContent ?? c.textContent),
    ]);
    expect(cells).toEqual([
      ['Test suites no check imported', '15.0 MiB', '2 globs'],
      ['Python modules no check imported', '20.0 MiB', '3 globs'],
    ]);
    const globs = section.getByRole('list', { name: 'Globs: Python modules no check imported' });
    expect(globs).not.toBeVisible();
    await user.click(section.getByText('3 globs'));
    expect(globs).toBeVisible();
    expect(
      within(globs)
        .getAllByRole('listitem')
        .map((g) => g.textContent),
    ).toEqual(['lib/python3.11/idlelib', 'lib/python3.11/tkinter', 'lib/python3.11/turtledemo']);
    expect(section.getByRole('status')).toHaveTextContent(
      'The traced variant passed every check and was written to condense.yml. Its image: 70.0 MiB, against 105 MiB for default.',
    );
    expect(section.queryByRole('alert')).not.toBeInTheDocument();
    // condense.yml and the history changed: both are read again.
    await expect.poll(() => fake.callsOf('recipe:get').length).toBeGreaterThan(recipeReads);
    expect(fake.callsOf('build:list').length).toBeGreaterThan(historyReads);
    expect(
      screen.getByRole('img', { name: /traced \(suggested\) 70\.0 MiB \(1\.4× the limit\)/ }),
    ).toBeInTheDocument();
  });

  it('says that a suggestion which failed its re-check was not written', async () => {
    const { section, fake, recipeReads, panel } = await suggest(suggestedRecord(false));
    expect(section.getByRole('alert')).toHaveTextContent(
      'The traced variant failed its checks, so it was not written to condense.yml: the service check failed: GET /health answered 500 (ModuleNotFoundError: idlelib).',
    );
    expect(panel).not.toHaveTextContent('was written to condense.yml');
    expect(fake.callsOf('recipe:get')).toHaveLength(recipeReads);
    expect(screen.queryByRole('img', { name: /suggested/ })).not.toBeInTheDocument();
  });
});
