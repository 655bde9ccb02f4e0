import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { SavingsReport } from '../../../../shared/api/recipe';
import { lockedPackage } from '../../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

const packages = [
  { ...lockedPackage('python', '3.11.9', 30 * MIB), depends: ['openssl >=3'] },
  { ...lockedPackage('numpy', '1.26.4', 8 * MIB), depends: ['libopenblas', 'python >=3.11'] },
  { ...lockedPackage('libopenblas', '0.3', 5 * MIB), depends: [] },
  { ...lockedPackage('openssl', '3.3', 2 * MIB), depends: [] },
];

const space = (name: string, installedBytes: number) => ({
  name,
  version: '1',
  installedBytes,
  files: 1,
  folders: [],
});

const savings: SavingsReport = {
  lockfile: 'conda-linux-64.lock',
  packages: 4,
  cachedPackages: 0,
  environmentBytes: 160 * MIB,
  environmentFiles: 4,
  rules: [],
  selections: [],
  space: [
    space('python', 100 * MIB),
    space('numpy', 40 * MIB),
    space('libopenblas', 15 * MIB),
    space('openssl', 5 * MIB),
  ],
  warnings: [],
};

async function openLock() {
  const app = renderApp({
    'lock:read': () => ({ packages, platforms: ['linux-64'], channels: ['conda-forge'] }),
  });
  await openProject(app.user);
  app.store.getState().analyzeFinished('analyze-1', savings);
  await goTo(app.user, /Lock/);
  const table = screen.getByRole('table', { name: 'Resolved packages' });
  const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name} `) });
  return { ...app, table, row };
}

describe('Lock screen: sizes and why', () => {
  it('shows download and installed size, requested or pulled in, and the path that explains it', async () => {
    const { row } = await openLock();
    expect(row('numpy')).toHaveTextContent('8.00 MiB40.0 MiBrequested');
    expect(row('libopenblas')).toHaveTextContent('5.00 MiB15.0 MiBvia numpy');
    expect(row('openssl')).toHaveTextContent('via python');
    expect(
      screen.getByText(/4 packages for linux-64 \(2 requested, 2 pulled in\)/),
    ).toHaveTextContent('45.0 MiB to download, 160 MiB installed');
  });

  it('filters to what was requested or what came as a dependency', async () => {
    const { user, table } = await openLock();
    const names = () =>
      within(table)
        .getAllByRole('rowheader')
        .map((h) => h.textContent);
    const show = screen.getByRole('combobox', { name: 'Show' });
    await user.selectOptions(show, 'pulled in as dependencies');
    expect(names()).toEqual(['libopenblas', 'openssl']);
    await user.selectOptions(show, 'requested in environment.yml');
    expect(names()).toEqual(['numpy', 'python']);
  });
});
