import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { CondenseError } from '../../shared/api/errors';
import { type FakeHandlers } from './test-support/fake-api';
import { lockedPackage, savingsReport, variantResult } from './test-support/project-fixture';
import { nav, openProject, renderApp } from './test-support/render-app';

const MIB = 1024 * 1024;

// vitest runs without globals here, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

describe('Projects', () => {
  it('says what to type when the folder is empty, and keeps later steps disabled', async () => {
    const { user, fake } = renderApp();
    expect(nav().getByRole('button', { name: /Image/ })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Type the folder path');
    expect(fake.callsOf('project:create')).toHaveLength(0);
  });

  it('creates a project and moves on to the Environment screen', async () => {
    const { user, fake } = renderApp();
    await user.type(screen.getByRole('textbox', { name: /project folder/i }), '/tmp/new');
    await user.type(screen.getByRole('textbox', { name: /name for a new project/i }), 'demo');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await screen.findByRole('heading', { name: /Environment/ });
    expect(fake.callsOf('project:create')).toEqual([{ dir: '/tmp/new', name: 'demo' }]);
    expect(nav().getByRole('button', { name: /Image/ })).toBeEnabled();
  });

  it('explains a folder that already holds a project', async () => {
    const { user } = renderApp({
      'project:create': () => {
        throw new CondenseError('ALREADY_EXISTS', '/tmp/x already has an environment.yml.');
      },
    });
    await user.type(screen.getByRole('textbox', { name: /project folder/i }), '/tmp/x');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      '/tmp/x already has an environment.yml. Open the existing project instead',
    );
  });

  it('marks a recent project whose folder is gone and forgets it', async () => {
    let recent = [
      { dir: '/r/gone', name: 'gone', openedAt: '2026-01-01', missing: true },
      { dir: '/r/here', name: 'here', openedAt: '2026-01-01', missing: false },
    ];
    const { user, fake } = renderApp({
      'project:recent': () => recent,
      'project:forget': ({ dir }) => {
        recent = recent.filter((r) => r.dir !== dir);
        return { removed: true };
      },
    });
    expect(await screen.findByRole('button', { name: 'gone' })).toBeDisabled();
    expect(screen.getByText('folder missing')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Forget gone' }));
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'gone' })).not.toBeInTheDocument(),
    );
    expect(fake.callsOf('project:forget')).toEqual([{ dir: '/r/gone' }]);
    expect(screen.getByRole('button', { name: 'here' })).toBeEnabled();
  });

  it('offers the native folder picker only in Electron', async () => {
    const { user, fake } = renderApp({
      'app:info': () => ({ name: 'Condense', version: '1', mode: 'electron' }),
      'dialog:pickFolder': () => ({ dir: '/picked/folder' }),
    });
    await user.click(await screen.findByRole('button', { name: 'Browse…' }));
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /project folder/i })).toHaveValue(
        '/picked/folder',
      ),
    );
    expect(fake.callsOf('dialog:pickFolder')).toHaveLength(1);
    cleanup();
    renderApp({ 'app:info': () => ({ name: 'Condense', version: '1', mode: 'browser' }) });
    await screen.findByRole('heading', { name: /^Projects$/ });
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(screen.queryByRole('button', { name: 'Browse…' })).not.toBeInTheDocument();
  });

  it('opens a recent project with one click', async () => {
    const { user, fake } = renderApp({
      'project:recent': () => [
        { dir: '/r/one', name: 'one', openedAt: '2026-01-01', missing: false },
      ],
    });
    await user.click(await screen.findByRole('button', { name: 'one' }));
    await screen.findByRole('heading', { name: /Environment/ });
    expect(fake.callsOf('project:open')).toEqual([{ dir: '/r/one' }]);
  });
});

describe('Environment', () => {
  it('searches the channels, adds a package and removes another', async () => {
    const { user, fake } = renderApp({
      'channels:search': ({ query }) => ({
        results: [
          {
            name: `${query}-core`,
            summary: 'Data frames',
            versions: ['2.2.2', '2.2.1'],
            builds: [],
            channels: ['conda-forge'],
          },
        ],
        unreachable: [],
      }),
    });
    await openProject(user);
    await user.type(screen.getByRole('searchbox', { name: 'Search packages' }), 'pandas');
    await user.click(await screen.findByRole('button', { name: 'Add pandas-core' }));
    expect(await screen.findByRole('cell', { name: 'pandas-core' })).toBeInTheDocument();
    expect(fake.callsOf('environment:update')).toEqual([
      { projectDir: '/home/me/churn', edits: [{ setDependency: 'pandas-core' }] },
    ]);
    expect(fake.callsOf('channels:search').at(-1)).toMatchObject({ query: 'pandas' });
    await user.click(screen.getByRole('button', { name: 'Remove numpy' }));
    await waitFor(() =>
      expect(screen.queryByRole('cell', { name: 'numpy' })).not.toBeInTheDocument(),
    );
  });

  it('pins a version and moves a channel up', async () => {
    const { user, fake } = renderApp();
    await openProject(user);
    const pin = screen.getByRole('textbox', { name: 'Version pin for numpy' });
    await user.clear(pin);
    await user.type(pin, '1.26.*');
    await user.click(screen.getByRole('button', { name: 'Pin numpy' }));
    await user.click(screen.getByRole('button', { name: 'Move bioconda up' }));
    await waitFor(() => expect(fake.callsOf('environment:update')).toHaveLength(2));
    expect(fake.callsOf('environment:update')).toEqual([
      { projectDir: '/home/me/churn', edits: [{ setDependency: 'numpy 1.26.*' }] },
      { projectDir: '/home/me/churn', edits: [{ channels: ['bioconda', 'conda-forge'] }] },
    ]);
  });
  it('adds a channel by URL, refuses one with spaces, and removes one', async () => {
    const { user, fake } = renderApp();
    await openProject(user);
    const field = screen.getByRole('textbox', { name: 'Channel name or URL' });
    await user.type(field, 'my channel{enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('is not a channel');
    await user.clear(field);
    await user.type(field, 'http://127.0.0.1:8765/synthetic/{enter}');
    const list = screen.getByRole('list', { name: 'Channels' });
    expect(await within(list).findByText('http://127.0.0.1:8765/synthetic')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Remove channel bioconda' }));
    await waitFor(() => expect(within(list).queryByText('bioconda')).not.toBeInTheDocument());
    expect(fake.callsOf('environment:update').map((r) => r)).toEqual([
      {
        projectDir: '/home/me/churn',
        edits: [{ channels: ['conda-forge', 'bioconda', 'http://127.0.0.1:8765/synthetic'] }],
      },
      {
        projectDir: '/home/me/churn',
        edits: [{ channels: ['conda-forge', 'http://127.0.0.1:8765/synthetic'] }],
      },
    ]);
  });
});

describe('Lock', () => {
  it('relocks with progress, keeping versions unless asked to update everything', async () => {
    const { user, fake } = renderApp({ 'lock:start': () => ({ jobId: 'l1' }) });
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Lock/ }));
    expect(screen.getByRole('table', { name: 'Resolved packages' })).toHaveTextContent(
      'numpy1.26.4',
    );
    await user.click(screen.getByRole('checkbox', { name: /Update every package/ }));
    await user.click(screen.getByRole('button', { name: 'Relock' }));
    expect(fake.callsOf('lock:start')).toEqual([{ projectDir: '/home/me/churn', updateAll: true }]);
    act(
      () =>
        void fake.emit('l1', 'lock', 'progress', { message: 'solving linux-64', fraction: 0.4 }),
    );
    expect(screen.getByRole('progressbar', { name: 'Lock progress' })).toHaveAttribute(
      'value',
      '0.4',
    );
    expect(screen.getByText('solving linux-64')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Relock' })).toHaveAttribute('aria-disabled', 'true');
    act(
      () =>
        void fake.emit('l1', 'lock', 'failed', {
          code: 'UNSATISFIABLE',
          message: 'numpy >=3 cannot be satisfied.',
        }),
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Locking failed: numpy >=3 cannot be satisfied. Loosen or remove a pin on the Environment screen, then lock again.',
    );
  });
});

describe('Lock sizes', () => {
  it('writes each package size in its own unit and leaves the column out when the channel gives no sizes', async () => {
    const packages = [
      lockedPackage('python', '3.11.9', 30 * MIB),
      lockedPackage('tzdata', '2024a', 120 * 1024),
      lockedPackage('ca-certificates', '2024.2.2', 2 * 1024),
    ];
    const { user } = renderApp({
      'lock:read': () => ({ packages, platforms: ['linux-64'], channels: ['conda-forge'] }),
    });
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Lock/ }));
    const table = screen.getByRole('table', { name: 'Resolved packages' });
    const cells = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => within(row).getAllByRole('cell').at(-2)!.textContent);
    // Each in its own unit: "0.1 MiB" beside "2.00 KiB" read as the smaller of the two.
    expect(cells).toEqual(['2.00 KiB', '30.0 MiB', '120 KiB']); // by name
    expect(
      screen.getByText(/3 packages for linux-64 .*, 30.1 MiB to download/),
    ).toBeInTheDocument();
    cleanup();

    const sizeless = packages.map(({ size: _size, ...p }) => p);
    const second = renderApp({
      'lock:read': () => ({
        packages: sizeless,
        platforms: ['linux-64'],
        channels: ['conda-forge'],
      }),
    });
    await openProject(second.user);
    await second.user.click(nav().getByRole('button', { name: /Lock/ }));
    const plain = screen.getByRole('table', { name: 'Resolved packages' });
    expect(within(plain).queryByRole('columnheader', { name: 'Download' })).not.toBeInTheDocument();
    expect(plain).not.toHaveTextContent('\u2013');
  });
});

describe('Image', () => {
  it('shrinks the size bar and rewrites the Dockerfile as rules are toggled, before any build', async () => {
    const { user, fake } = renderApp();
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Image/ }));
    // The savings arrive as the analyze job's result.
    act(() => void fake.emit('analyze-1', 'analyze', 'done', savingsReport()));
    const meter = await screen.findByRole('meter', { name: 'Estimated environment size' });
    const before = Number(meter.getAttribute('aria-valuenow'));
    // Savings in one unit (the largest is 20 MiB), rules that remove nothing as "0 B".
    const saves = (name: RegExp) =>
      within(screen.getByRole('switch', { name }).closest('li')!).getByText(/ (B|KiB|MiB)$/)
        .textContent;
    expect(saves(/libpython/i)).toBe('\u221220.0 MiB');
    expect(saves(/^C headers/)).toBe('\u22121.0 MiB');
    expect(saves(/^pip/)).toBe('0 B');
    const preview = screen.getByLabelText('Dockerfile preview');
    expect(preview).not.toHaveTextContent('libpython');
    await user.click(screen.getByRole('switch', { name: /libpython/i }));
    const after = Number(meter.getAttribute('aria-valuenow'));
    const saving = savingsReport().rules.find((r) => r.ruleId === 'libpython')!.bytes;
    expect(before - after).toBe(saving);
    expect(screen.getByRole('switch', { name: /libpython/i })).toBeChecked();
    expect(preview).toHaveTextContent('libpython');
    // The No-pruning preset takes everything off: the bar is full again.
    await user.click(screen.getByRole('button', { name: 'No pruning' }));
    expect(Number(meter.getAttribute('aria-valuenow'))).toBe(savingsReport().environmentBytes);
    expect(screen.getByRole('button', { name: 'No pruning' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('refuses an entrypoint command that is not a JSON list, with an example', async () => {
    const { user, fake } = renderApp();
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Image/ }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Entrypoint' }), 'command');
    await user.type(
      screen.getByRole('textbox', { name: 'Entrypoint target' }),
      'python app.py{enter}',
    );
    expect(screen.getByRole('alert')).toHaveTextContent('JSON list of strings');
    expect(fake.callsOf('recipe:save')).toHaveLength(0);
  });
});

describe('Build and Results', () => {
  function buildHandlers(): FakeHandlers {
    return {
      'recipe:generate': () => ({
        dockerfile: 'FROM a',
        classicDockerfile: 'FROM a',
        dockerignore: '',
        variants: [],
      }),
      'build:start': () => ({ jobId: 'b1' }),
    };
  }

  it('streams coloured logs that survive leaving the screen, fills the results live, and cancels', async () => {
    const { user, fake } = renderApp(buildHandlers());
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Build/ }));
    await user.type(screen.getByRole('textbox', { name: 'Modules to import' }), 'numpy');
    await user.click(screen.getByRole('button', { name: 'Start build' }));
    expect(fake.callsOf('build:start')[0]).toMatchObject({ smoke: { modules: ['numpy'] } });
    act(() => {
      fake.emit('b1', 'build', 'step', {
        id: 'd1',
        name: '[conda 2/4] RUN mamba create',
        cached: false,
        started: new Date().toISOString(),
      });
      fake.emit('b1', 'build', 'log', {
        step: 'd1',
        time: '',
        stream: 'stdout',
        text: '\u001b[32mTransaction finished\u001b[0m',
      });
    });
    const log = screen.getByRole('log', { name: 'Build log' });
    expect(within(log).getByText('Transaction finished')).toHaveClass('ansi-green');
    expect(screen.getByRole('list', { name: 'Build steps' })).toHaveTextContent('RUN mamba create');

    await user.click(nav().getByRole('button', { name: /Results/ }));
    expect(screen.getByText('Waiting for the first variant')).toBeInTheDocument();
    act(() => {
      fake.emit(
        'b1',
        'build',
        'variant',
        variantResult('slim', [
          ['COPY /env /env # buildkit', 42 * MIB],
          ['USER 65532', 0],
        ]),
      );
    });
    const chart = screen.getByRole('img', { name: 'Layer sizes of slim' });
    expect(chart).toHaveTextContent('COPY /env /env');
    expect(chart).toHaveTextContent('42.0 MiB');
    expect(screen.getByRole('table', { name: 'Variants compared' })).toHaveTextContent(
      'slim (baseline)42.0 MiB42.0 MiB2running…',
    );

    await user.click(nav().getByRole('button', { name: /Build/ }));
    expect(
      within(screen.getByRole('log', { name: 'Build log' })).getByText('Transaction finished'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel build' }));
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'b1' }]);
    act(() => void fake.emit('b1', 'build', 'cancelled', { message: 'Cancelled.' }));
    expect(screen.getByText('Build cancelled.')).toBeInTheDocument();
  });

  it('shows past builds side by side with the sizes of each variant', async () => {
    const { buildRecord } = await import('./test-support/project-fixture');
    const records = [
      buildRecord('b-old', '2026-01-01T09:00:00Z', [
        variantResult('default', [['COPY', 100 * MIB]]),
      ]),
      buildRecord('b-new', '2026-01-02T09:00:00Z', [
        variantResult('default', [['COPY', 90 * MIB]]),
        variantResult('slim', [['COPY', 60 * MIB]]),
      ]),
    ];
    const { user } = renderApp({
      'build:list': () =>
        records.map((r) => ({
          id: r.id,
          startedAt: r.startedAt,
          durationMs: 1,
          state: r.state,
          builder: r.builder,
          variants: [],
        })),
      'build:get': ({ buildId }) => records.find((r) => r.id === buildId)!,
    });
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Results/ }));
    const rows = within(screen.getByRole('table', { name: 'Variants compared' })).getAllByRole(
      'row',
    );
    // Latest build first, each under its own heading, compared with its own unpruned variant.
    expect(rows.slice(1).map((r) => r.textContent)).toEqual([
      'Build of 2026-01-02 09:00',
      'default (baseline)90.0 MiB1not run',
      'slim60.0 MiB−30.0 MiB1not run',
      'Build of 2026-01-01 09:00',
      'default (baseline)100.0 MiB1not run',
    ]);
    // Layer charts of the latest build.
    expect(screen.getAllByRole('img', { name: /^Layer sizes of / })).toHaveLength(2);
  });
});

describe('Export dialog', () => {
  it('exports into a folder, and explains how to overwrite', async () => {
    let exists = true;
    const { user, fake } = renderApp({
      'recipe:export': ({ dir, force }) => {
        if (exists && !force)
          throw new CondenseError('ALREADY_EXISTS', `${dir}/Dockerfile exists.`);
        exists = true;
        return { dir, files: ['Dockerfile', 'conda-linux-64.lock'] };
      },
    });
    await openProject(user);
    await user.click(nav().getByRole('button', { name: 'Export…' }));
    const dialog = screen.getByRole('dialog', { name: 'Export' });
    expect(within(dialog).getByRole('textbox', { name: 'Export folder' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Tick “Overwrite existing files”',
    );
    await user.click(within(dialog).getByRole('checkbox', { name: 'Overwrite existing files' }));
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(await within(dialog).findByRole('list', { name: 'Exported files' })).toHaveTextContent(
      'conda-linux-64.lock',
    );
    expect(fake.callsOf('recipe:export').at(-1)).toEqual({
      projectDir: '/home/me/churn',
      dir: '/home/me/churn/export',
      force: true,
    });
    // Tab stays inside the dialog: from the last control it wraps to the first.
    within(dialog).getByRole('button', { name: 'Close' }).focus();
    await user.tab();
    expect(within(dialog).getByRole('textbox', { name: 'Export folder' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // Focus returns to the button that opened it.
    expect(nav().getByRole('button', { name: 'Export…' })).toHaveFocus();
  });
});

describe('accessibility', () => {
  it('moves focus into the screen chosen in the navigation', async () => {
    const { user } = renderApp();
    await openProject(user);
    await user.click(nav().getByRole('button', { name: /Lock/ }));
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it('gives every control on every screen an accessible name', async () => {
    const { user } = renderApp();
    await openProject(user);
    for (const step of ['Projects', 'Environment', 'Lock', 'Image', 'Build', 'Results']) {
      await user.click(nav().getByRole('button', { name: new RegExp(step) }));
      for (const role of [
        'button',
        'textbox',
        'checkbox',
        'switch',
        'combobox',
        'searchbox',
      ] as const) {
        for (const element of screen.queryAllByRole(role)) expect(element).toHaveAccessibleName();
      }
    }
  });
});
