import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { editEnvironmentFile } from '../../../shared/environment/environment-edit';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { lockedPackage } from '../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);

const KIB = 1024;

/** environment.yml edited with the same code the service runs. */
function environmentHandlers() {
  let text =
    'name: churn\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip:\n      - --extra-index-url https://${U}:${T}@pypi.corp.example/simple\n      - pinme\n';
  return {
    'environment:read': () => ({ text, spec: parseEnvironmentFile(text).spec, revision: 'r1' }),
    'environment:update': ({ edits }: { edits: Parameters<typeof editEnvironmentFile>[1] }) => {
      text = editEnvironmentFile(parseEnvironmentFile(text), edits);
      return { text, spec: parseEnvironmentFile(text).spec, revision: 'r1', changed: true };
    },
    'lock:read': () => ({
      packages: [
        lockedPackage('python', '3.11.9', 30 * 1024 * KIB),
        {
          ...lockedPackage('pinme', '1.0', 12 * KIB),
          manager: 'pip' as const,
          subdir: 'pypi',
          build: '',
          url: 'https://pypi.corp.example/files/pinme-1.0-py3-none-any.whl',
          md5: '',
          sha256: 'a'.repeat(64),
        },
      ],
      platforms: ['linux-64'],
      channels: ['conda-forge'],
    }),
    'pip:search': ({ query }: { query: string }) =>
      query.startsWith('tab')
        ? [{ name: 'tabulate', index: 'https://pypi.corp.example/simple', versions: ['0.8.9'] }]
        : [],
  };
}

describe('pip packages in the app', () => {
  it('lists the pip section, pins to the locked version, adds from the index search, removes', async () => {
    const { fake, user } = renderApp(environmentHandlers());
    await openProject(user);
    const table = await screen.findByRole('table', { name: 'pip requirements' });
    expect(within(table).getByText('pinme')).toBeTruthy();
    expect(
      screen.getByText(/extra https:\/\/\$\{U\}:\$\{T\}@pypi\.corp\.example\/simple/),
    ).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Pin pinme to 1.0' }));
    expect(await within(table).findByText('pinme==1.0')).toBeTruthy();
    expect(
      fake.calls.some((c) =>
        JSON.stringify(c.request).includes('"setPipRequirement":"pinme==1.0"'),
      ),
    ).toBe(true);

    // A bad line is refused in the app, before any call.
    const updates = fake.calls.filter((c) => c.method === 'environment:update').length;
    await user.type(screen.getByRole('textbox', { name: 'pip requirement' }), '-e ./src');
    await user.click(screen.getByRole('button', { name: 'Add pip requirement' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/own-package field/);
    expect(fake.calls.filter((c) => c.method === 'environment:update').length).toBe(updates);

    await user.type(screen.getByRole('searchbox', { name: 'Search pip index' }), 'tab');
    await user.click(await screen.findByRole('button', { name: 'Add pip package tabulate' }));
    expect(await within(table).findByText('tabulate')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Remove pip package pinme' }));
    await expect.poll(() => within(table).queryByText('pinme==1.0')).toBeNull();
  });

  it('marks pip packages on the Lock screen, with their index and size', async () => {
    const { user } = renderApp(environmentHandlers());
    await openProject(user);
    await goTo(user, /Lock/);
    const row = (await screen.findByText('pinme')).closest('tr')!;
    expect(within(row).getByText('pip')).toBeTruthy();
    expect(within(row).getByText('wheel')).toBeTruthy();
    expect(within(row).getByText('pypi.corp.example')).toBeTruthy();
    expect(row.textContent).toMatch(/12(\.0)? KiB/);
  });
});
