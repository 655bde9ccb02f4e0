import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { VariantResult } from '../../../shared/api/build';
import { buildRecord, variantResult } from '../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

function variant(id: string, bytes: number, extra: Partial<VariantResult>): VariantResult {
  return { ...variantResult(id, [['COPY', bytes]]), bytecode: id, ...extra };
}

describe('service checks on the Results screen', () => {
  it('shows start-up time beside the size, the peak memory and why a check failed', async () => {
    const record = buildRecord('b1', '2026-01-02T09:00:00Z', [
      variant('keep', 67 * MIB, {
        service: {
          passed: true,
          startupMs: 117,
          peakMemoryBytes: 10 * MIB,
          message: 'Answered 200',
        },
      }),
      variant('drop', 53 * MIB, {
        service: {
          passed: true,
          startupMs: 336,
          peakMemoryBytes: 14 * MIB,
          message: 'Answered 200',
        },
      }),
      variant('compile', 68 * MIB, {
        state: 'failed',
        service: {
          passed: false,
          status: 500,
          message: 'Answered 500, expected 200: model not loaded',
        },
      }),
    ]);
    const { user } = renderApp(historyHandlers([record]));
    await openProject(user);
    await goTo(user, /Results/);
    const table = screen.getByRole('table', { name: 'Variants compared' });
    const header = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    // After the sizes (total, vs. baseline, estimated and measured environment) and the layers.
    expect(header.indexOf('Start-up')).toBe(header.indexOf('Layers') + 1);
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .filter((row) => within(row).queryAllByRole('cell').length > 0)
      .map((row) => [...row.children].map((c) => c.textContent));
    const col = (name: string) => header.indexOf(name);
    // Labels carry the build's time (local time zone): compare without it.
    const label = (text: string | null) => text?.replace(/ \(\d{4}-[^)]*\)/, '');
    expect(rows.map((r) => [label(r[0]!), r[col('Start-up')], r[col('Service')]])).toEqual([
      ['keep (bytecode keep) (baseline)', '0.12 s', 'passed, peak memory 10.0 MiB'],
      ['drop (bytecode drop)', '0.34 s', 'passed, peak memory 14.0 MiB'],
      ['compile (bytecode compile)', '', 'failed: Answered 500, expected 200: model not loaded'],
    ]);
  });
});
