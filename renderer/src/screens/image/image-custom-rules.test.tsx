import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { SavingsReport } from '../../../../shared/api/recipe';
import { defaultRecipe, type PruneSettings, type Recipe } from '../../../../shared/recipe/model';
import { resolvePrune } from '../../../../shared/recipe/prune-commands';
import type { PackageFileList } from '../../../../shared/recipe/savings';
import { FILE_LISTS, savingsReport } from '../../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../../test-support/render-app';

afterEach(cleanup);

const MIB = 1024 * 1024;
const CORE = 'lib/python3.11/site-packages/numpy/core';
const TESTS = 'lib/python3.11/site-packages/numpy/tests';
const STATIC = 'lib/libnpymath.a';
const NUMPY = 'lib/python3.11: packages never imported (numpy)';
const BIN = 'bin: programs no check ran';

/** A `default` variant on the safe preset and the `traced` one a trace would write beside it. */
function tracedRecipe(custom = [CORE, TESTS, 'bin/python3.11', STATIC]): Recipe {
  const safe: PruneSettings = { preset: 'safe', add: [], remove: [], custom: [] };
  return {
    ...defaultRecipe(),
    variants: [
      { id: 'default', prune: safe },
      {
        id: 'traced',
        prune: {
          ...safe,
          custom,
          force: custom.filter((g) => g !== STATIC),
          // lib/libnpymath.a was added by hand: no reason.
          reasons: { [CORE]: NUMPY, [TESTS]: NUMPY, 'bin/python3.11': BIN },
        },
      },
    ],
  };
}

async function openTraced(recipe: Recipe, savings: SavingsReport) {
  const app = renderApp({
    'recipe:get': () => ({ recipe, exists: true, issues: [], revision: 'r1' }),
  });
  await openProject(app.user);
  await goTo(app.user, /Image/);
  act(() => void app.fake.emit('analyze-1', 'analyze', 'done', savings));
  await screen.findByRole('meter', { name: 'Estimated environment size' });
  return app;
}

const meter = () => screen.getByRole('meter', { name: 'Estimated environment size' });
const remaining = () => Number(meter().getAttribute('aria-valuenow'));

// scipy/core holds a module and its tests in one folder (cut at five levels): the .so glob and
// package-tests meet there without sharing a file.
const WITH_SCIPY_CORE: PackageFileList[] = [
  ...FILE_LISTS,
  {
    name: 'scipy',
    version: '1',
    build: '0',
    files: [
      { path: 'lib/python3.11/site-packages/scipy/core/_a.so', type: 'file', size: 8 * MIB },
      { path: 'lib/python3.11/site-packages/scipy/core/tests/t.py', type: 'file', size: MIB },
      { path: 'lib/python3.11/site-packages/scipy/core/kept.py', type: 'file', size: MIB },
    ],
  },
];
const SCIPY_SO_GLOB = 'lib/python3.11/site-packages/scipy/core/*.so';

describe('Image screen: custom globs of a traced variant', () => {
  it('folds globs with a reason into one group per reason, each glob reachable inside', async () => {
    const recipe = tracedRecipe();
    const { user, fake } = await openTraced(
      recipe,
      savingsReport({ custom: recipe.variants[1]!.prune.custom }),
    );
    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant' }), 'traced');
    const rules = within(screen.getByRole('list', { name: 'Prune rules' }));

    const numpy = rules.getByRole('button', { name: `${NUMPY} (2 custom globs)` });
    expect(numpy).toHaveAttribute('aria-expanded', 'false');
    expect(numpy.closest('h4')).not.toBeNull();
    // The group's row: its globs' bytes (numpy/core 30 MiB and numpy/tests 4 MiB).
    expect(numpy.closest('li')).toHaveTextContent(/34\.0 MiB/);
    expect(rules.getByRole('button', { name: `${BIN} (1 custom glob)` })).toHaveAttribute(
      'aria-expanded',
      'false',
    );
    // Folded: the grouped globs are not listed; the one without a reason is, as before.
    expect(screen.queryByRole('button', { name: `Remove custom rule ${CORE}` })).toBeNull();
    expect(
      screen.getByRole('button', { name: `Remove custom rule ${STATIC}` }),
    ).toBeInTheDocument();

    await user.click(numpy);
    expect(numpy).toHaveAttribute('aria-expanded', 'true');
    const list = screen.getByRole('list', { name: `Custom globs: ${NUMPY}` });
    expect(numpy).toHaveAttribute('aria-controls', list.id);
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    await user.click(within(list).getByRole('button', { name: `Remove custom rule ${CORE}` }));

    const saved = (fake.callsOf('recipe:save').at(-1) as { recipe: Recipe }).recipe;
    expect(saved.variants.find((v) => v.id === 'traced')!.prune.custom).toEqual([
      TESTS,
      'bin/python3.11',
      STATIC,
    ]);
    expect(rules.getByRole('button', { name: `${NUMPY} (1 custom glob)` })).toHaveAttribute(
      'aria-expanded',
      'true',
    );

    await user.click(rules.getByRole('button', { name: `${NUMPY} (1 custom glob)` }));
    expect(screen.queryByRole('list', { name: `Custom globs: ${NUMPY}` })).toBeNull();
  });

  it("counts the traced variant's custom globs in its estimated size, a shared file once", async () => {
    const recipe = tracedRecipe();
    const { user } = await openTraced(
      recipe,
      savingsReport({ custom: recipe.variants[1]!.prune.custom }),
    );
    // 111 MiB; the safe preset removes static libraries 3, headers 1, idlelib 2, ensurepip 2.
    expect(remaining()).toBe(103 * MIB);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant' }), 'traced');
    // + numpy/core 30, numpy/tests 4, bin/python3.11 6; lib/libnpymath.a is static-libs' already.
    expect(remaining()).toBe(63 * MIB);
    const panel = within(
      screen.getByRole('complementary', { name: 'Estimated size and Dockerfile' }),
    );
    expect(
      panel.getByText(/With the 4 custom globs, which remove 43\.0 MiB on their own/),
    ).toBeInTheDocument();
    expect(panel.queryByRole('note', { name: 'Upper bound' })).toBeNull();
    expect(screen.getByRole('img', { name: /^Environment by size/ })).toHaveAccessibleName(
      /the rules remove 48\.0 MiB of 111 MiB/,
    );
  });

  it('says when the figure is only an upper bound, and measures the rules exactly on request', async () => {
    // numpy/core holds the module and its tests in one folder (cut at five levels): with
    // package-tests switched on, the folder's figures per rule cannot say what the two share when
    // the report has no overlaps (one made before they were measured).
    const recipe = tracedRecipe([SCIPY_SO_GLOB]);
    const measured = savingsReport({ custom: [SCIPY_SO_GLOB], files: WITH_SCIPY_CORE });
    const report = {
      ...measured,
      space: measured.space!.map((p) => ({
        ...p,
        folders: p.folders.map(({ overlaps: _overlaps, ...f }) => f),
      })),
    };
    const { user, fake, store } = await openTraced(recipe, report);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant' }), 'traced');
    const panel = within(
      screen.getByRole('complementary', { name: 'Estimated size and Dockerfile' }),
    );
    expect(panel.queryByRole('note', { name: 'Upper bound' })).toBeNull();

    await user.click(screen.getByRole('switch', { name: /Package test suites/ }));
    expect(panel.getByRole('note', { name: 'Upper bound' })).toHaveTextContent(
      /the environment is at least 100 MiB/,
    );
    // 121 MiB, safe 8, the glob 8, tests 4 + 1.
    expect(remaining()).toBe(100 * MIB);

    await user.click(panel.getByRole('button', { name: 'Measure these rules exactly' }));
    const asked = fake.callsOf('recipe:analyze').at(-1) as { recipe?: Recipe };
    const traced = asked.recipe!.variants.find((v) => v.id === 'traced')!.prune;
    const ruleIds = resolvePrune(traced, 'linux-64').map((r) => r.id);
    expect(ruleIds).toContain('package-tests');
    act(() =>
      store.getState().analyzeFinished('analyze-1', {
        ...report,
        selections: [{ id: 'traced', ruleIds, bytes: 21 * MIB, files: 6 }],
      }),
    );
    expect(panel.queryByRole('note', { name: 'Upper bound' })).toBeNull();
    expect(remaining()).toBe(100 * MIB);
  });
  it('is exact, with no upper-bound note, when the report measured what rules share', async () => {
    const { user } = await openTraced(
      tracedRecipe([SCIPY_SO_GLOB]),
      savingsReport({ custom: [SCIPY_SO_GLOB], files: WITH_SCIPY_CORE }),
    );
    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant' }), 'traced');
    const panel = within(
      screen.getByRole('complementary', { name: 'Estimated size and Dockerfile' }),
    );
    await user.click(screen.getByRole('switch', { name: /Package test suites/ }));
    expect(panel.queryByRole('note', { name: 'Upper bound' })).toBeNull();
    expect(remaining()).toBe(100 * MIB);
  });
});
