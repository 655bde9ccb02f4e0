import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { BuildRecord, VariantResult } from '../../../../shared/api/build';
import type { SavingsReport } from '../../../../shared/api/recipe';
import { environmentLayerBytes, estimatedBytes } from '../../store/results-view';
import { buildRecord, variantResult } from '../../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

const ENV_COPY = 'COPY --from=conda /env /env';

function variant(id: string, rules: string[], envMiB: number): VariantResult {
  return {
    ...variantResult(id, [
      ['(base)', 5 * MIB],
      [ENV_COPY, envMiB * MIB],
    ]),
    rules,
  };
}

function failedBuild(id: string, startedAt: string, state: 'failed' | 'cancelled'): BuildRecord {
  const broken: VariantResult = {
    ...variant('default', [], 0),
    state,
    imageId: undefined,
    layers: [],
    sizeBytes: undefined,
    error: { code: 'BUILD_FAILED', message: `x${'y'.repeat(300)}: mamba could not install` },
  };
  return { ...buildRecord(id, startedAt, [broken]), state };
}

const records: BuildRecord[] = [
  buildRecord('b1', '2026-01-01T09:00:00Z', [variant('default', [], 120)]),
  failedBuild('b2', '2026-01-02T09:00:00Z', 'failed'),
  buildRecord('b3', '2026-01-03T09:00:00Z', [
    variant('default', [], 100),
    variant('expert', ['pycache', 'tests'], 60),
  ]),
  failedBuild('b4', '2026-01-04T09:00:00Z', 'cancelled'),
];

async function openResults() {
  const app = renderApp(historyHandlers(records));
  await openProject(app.user);
  await goTo(app.user, /Results/);
  const table = await screen.findByRole('table', { name: 'Variants compared' });
  const rows = () =>
    within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent);
  return { ...app, table, rows };
}

describe('Results screen', () => {
  it('lists the latest build first, grouped, compared with the unpruned variant of the same build', async () => {
    const { rows } = await openResults();
    expect(rows()).toEqual([
      'Build of 2026-01-03 09:00',
      'default (baseline)105.0 MiB100.0 MiB2not run',
      'expert65.0 MiB−40.0 MiB60.0 MiB2not run',
      'Build of 2026-01-01 09:00',
      'default (baseline)125.0 MiB120.0 MiB2not run',
    ]);
  });

  it('folds failed and cancelled builds away, with their errors wrapping', async () => {
    const { table } = await openResults();
    expect(table).not.toHaveTextContent('mamba could not install');
    const folded = screen.getByText(/Failed and cancelled builds \(2\)/).closest('details')!;
    expect(folded).not.toHaveAttribute('open');
    const list = within(folded).getByRole('list', { name: 'Failed and cancelled builds' });
    expect(list).toHaveTextContent('Build of 2026-01-04 09:00: cancelled');
    const error = within(list).getByText(/mamba could not install/);
    expect(error).toHaveClass('wrap-cell');
  });

  it('compares with an explicitly chosen baseline from another build', async () => {
    const { rows, user } = await openResults();
    await user.selectOptions(
      screen.getByRole('combobox', { name: /Compare with/ }),
      'default (2026-01-01 09:00)',
    );
    expect(rows()).toEqual([
      'Build of 2026-01-03 09:00',
      'default105.0 MiB−20.0 MiB100.0 MiB2not run',
      'expert65.0 MiB−60.0 MiB60.0 MiB2not run',
      'Build of 2026-01-01 09:00',
      'default (baseline)125.0 MiB120.0 MiB2not run',
    ]);
  });
});

describe('estimate against measured', () => {
  const savings: SavingsReport = {
    lockfile: 'conda-linux-64.lock',
    packages: 2,
    cachedPackages: 0,
    environmentBytes: 100 * MIB,
    environmentFiles: 10,
    rules: [
      {
        ruleId: 'pycache',
        title: '',
        risk: 'low',
        bytes: 20 * MIB,
        files: 1,
        owners: [],
        selected: false,
      },
      {
        ruleId: 'tests',
        title: '',
        risk: 'low',
        bytes: 30 * MIB,
        files: 1,
        owners: [],
        selected: false,
      },
    ],
    selections: [{ id: 'expert', ruleIds: ['tests', 'pycache'], bytes: 45 * MIB, files: 2 }],
    warnings: [],
  };

  it('takes the variant selection (overlaps counted once), else sums the rules', () => {
    expect(estimatedBytes(savings, 'expert', ['pycache', 'tests'])).toBe(55 * MIB);
    expect(estimatedBytes(savings, 'other', ['pycache'])).toBe(80 * MIB);
    expect(estimatedBytes(savings, 'other', ['unknown'])).toBeUndefined();
    expect(estimatedBytes(undefined, 'expert', [])).toBeUndefined();
  });

  it('finds the environment layer among the image layers', () => {
    const layers = [
      { instruction: 'COPY --from=conda /env /env', bytes: 7 },
      { instruction: 'COPY app /app', bytes: 3 },
    ];
    expect(environmentLayerBytes(layers)).toBe(7);
    // As BuildKit's image history writes it.
    expect(environmentLayerBytes([{ instruction: 'COPY /env /env', bytes: 5 }])).toBe(5);
    expect(environmentLayerBytes(layers.slice(1))).toBeUndefined();
  });

  it('shows estimate and measured side by side with the gap', async () => {
    const app = renderApp({
      ...historyHandlers([records[2]!]),
    });
    await openProject(app.user);
    app.store.getState().analyzeFinished('analyze-1', savings);
    await goTo(app.user, /Results/);
    const table = await screen.findByRole('table', { name: 'Variants compared' });
    const expert = within(table).getByRole('row', { name: /^expert/ });
    // Estimated 55 MiB, measured 60 MiB: 5 MiB (9%) more than estimated.
    expect(expert).toHaveTextContent('55.0 MiB');
    expect(expert).toHaveTextContent('55.0 MiB60.0 MiB +5.00 MiB (+9%)');
  });
});
