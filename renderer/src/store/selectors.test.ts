import { describe, expect, it } from 'vitest';

import { PRUNE_PRESETS } from '../../../shared/recipe/catalog';
import { defaultRecipe } from '../../../shared/recipe/model';
import {
  buildRecord,
  ENVIRONMENT,
  lockedPackage,
  savingsReport,
  variantResult,
} from '../test-support/project-fixture';
import { addVariant, withPrune } from './recipe-helpers';
import {
  buildSelectors,
  channelOf,
  environmentSelectors,
  lockSelectors,
  recipeSelectors,
} from './selectors';
import type { JobView } from './types';

const none = { preset: 'none' as const, add: [], remove: [], custom: [] };

describe('recipeSelectors on plain state', () => {
  it('shrinks the estimated size as rules are switched on, before any build', () => {
    const savings = savingsReport();
    const bare = withPrune(defaultRecipe(), undefined, none);
    const off = recipeSelectors.sizeEstimate({ recipe: bare, savings, editingVariant: undefined })!;
    expect(off.remainingBytes).toBe(savings.environmentBytes);
    const one = withPrune(bare, undefined, { ...none, add: ['libpython'] });
    const withOne = recipeSelectors.sizeEstimate({
      recipe: one,
      savings,
      editingVariant: undefined,
    })!;
    const libpython = savings.rules.find((r) => r.ruleId === 'libpython')!.bytes;
    expect(libpython).toBeGreaterThan(0);
    expect(withOne.savedBytes).toBe(libpython);
    const two = withPrune(bare, undefined, { ...none, add: ['libpython', 'package-tests'] });
    const withTwo = recipeSelectors.sizeEstimate({
      recipe: two,
      savings,
      editingVariant: undefined,
    })!;
    expect(withTwo.remainingBytes).toBeLessThan(withOne.remainingBytes);
  });

  it("counts the editing variant's custom globs in its estimate", () => {
    const glob = 'lib/python3.11/site-packages/numpy/core';
    const savings = savingsReport({ custom: [glob] });
    const recipe = addVariant(withPrune(defaultRecipe(), undefined, none), 'traced');
    const traced = withPrune(recipe, 'traced', { ...none, custom: [glob] });
    const estimate = (editingVariant: string) =>
      recipeSelectors.sizeEstimate({ recipe: traced, savings, editingVariant })!;
    expect(estimate('default').savedBytes).toBe(0);
    expect(estimate('traced')).toMatchObject({
      savedBytes: 30 * 1024 * 1024,
      customBytes: 30 * 1024 * 1024,
      exact: true,
    });
    expect(recipeSelectors.removingRules({ recipe: traced, editingVariant: 'traced' })).toEqual(
      new Set([`custom:${glob}`]),
    );
  });

  it('is undefined before a lock (no savings measured)', () => {
    expect(
      recipeSelectors.sizeEstimate({
        recipe: defaultRecipe(),
        savings: undefined,
        editingVariant: undefined,
      }),
    ).toBeUndefined();
  });

  it('lists every catalog rule with enabled state from the preset and owners from the savings', () => {
    const recipe = defaultRecipe();
    const rows = recipeSelectors.rules({
      recipe,
      savings: savingsReport(),
      editingVariant: undefined,
    });
    const enabled = rows.filter((r) => r.enabled).map((r) => r.id);
    expect(enabled.sort()).toEqual([...PRUNE_PRESETS[recipe.prune.preset]].sort());
    const tests = rows.find((r) => r.id === 'package-tests')!;
    expect(tests.owners).toEqual(['numpy']);
    expect(tests.savingBytes).toBeGreaterThan(0);
  });

  it('reads the edited variant, and names the preset only while it is unchanged', () => {
    const recipe = addVariant(withPrune(defaultRecipe(), undefined, none), 'slim');
    const slim = withPrune(recipe, 'slim', { ...none, preset: 'expert' });
    expect(recipeSelectors.variantIds({ recipe: slim })).toEqual(['default', 'slim']);
    expect(recipeSelectors.activePreset({ recipe: slim, editingVariant: 'slim' })).toBe('expert');
    expect(recipeSelectors.activePreset({ recipe: slim, editingVariant: 'default' })).toBe('none');
    const tweaked = withPrune(slim, 'slim', { ...none, preset: 'expert', remove: ['pycache'] });
    expect(
      recipeSelectors.activePreset({ recipe: tweaked, editingVariant: 'slim' }),
    ).toBeUndefined();
  });
});

describe('buildSelectors on plain state', () => {
  const job = (variants: JobView['variants'], state: JobView['state'] = 'running'): JobView => ({
    jobId: 'b1',
    job: 'build',
    state,
    lastSeq: 3,
    steps: [],
    variants,
    logLines: 0,
  });

  it('puts the live variants first, then past builds newest first, each image once', () => {
    const live = variantResult('slim', [['COPY /env /env', 50]]);
    const history = [
      buildRecord('old', '2026-01-01T10:00:00Z', [variantResult('default', [['COPY', 90]])]),
      buildRecord('new', '2026-02-01T10:00:00Z', [live, variantResult('default', [['COPY', 80]])]),
    ];
    const entries = buildSelectors.comparison({
      buildJobId: 'b1',
      jobs: { b1: job([live]) },
      history,
      syncedBuildJobs: [],
    });
    expect(entries.map((e) => e.key)).toEqual(['live:slim', 'new:default', 'old:default']);
    expect(entries[0]!.live).toBe(true);
    expect(entries[0]!.result.smoke).toBe('pending');
    expect(buildSelectors.scale(entries)).toBe(90);
  });

  it('shows a finished build from the history only, once the history was reloaded after it', () => {
    const live = {
      ...variantResult('slim', [['COPY', 50]]),
      imageId: undefined,
      state: 'failed' as const,
    };
    const history = [buildRecord('b-live', '2026-02-01T10:00:00Z', [live])];
    const state = { buildJobId: 'b1', jobs: { b1: job([live], 'failed') }, history };
    expect(buildSelectors.comparison({ ...state, syncedBuildJobs: [] }).map((e) => e.key)).toEqual([
      'live:slim',
      'b-live:slim',
    ]);
    const synced = buildSelectors.comparison({ ...state, syncedBuildJobs: ['b1'] });
    expect(synced.map((e) => e.key)).toEqual(['b-live:slim']);
    // A failed variant has no image: listed, not charted.
    expect(buildSelectors.charted(synced)).toEqual([]);
  });

  it('marks a failing smoke test with the failing command', () => {
    const failing = {
      ...variantResult('slim', [['COPY', 10]]),
      smoke: {
        passed: false,
        checks: [
          {
            kind: 'imports' as const,
            command: ['/env/bin/python', '-c', 'import numpy'],
            passed: false,
            exitCode: 1,
            output: 'ImportError: libpython3.11.so.1.0',
            durationMs: 5,
          },
        ],
      },
    };
    const [entry] = buildSelectors.comparison({
      buildJobId: 'b1',
      jobs: { b1: job([failing], 'succeeded') },
      history: [],
      syncedBuildJobs: [],
    });
    expect(entry!.result.smoke).toBe('failed');
    expect(entry!.result.smokeMessage).toContain('ImportError');
  });
});

describe('lock and environment selectors', () => {
  it('filters and sorts packages, sums sizes, names channels from URLs', () => {
    const lockPackages = [lockedPackage('zlib', '1.3', 100), lockedPackage('numpy', '1.26', 200)];
    expect(lockSelectors.packages({ lockPackages }).map((p) => p.name)).toEqual(['numpy', 'zlib']);
    expect(lockSelectors.packages({ lockPackages }, 'ZL').map((p) => p.name)).toEqual(['zlib']);
    expect(lockSelectors.totalSize({ lockPackages })).toBe(300);
    expect(channelOf(lockPackages[0]!.url)).toBe('conda-forge');
  });

  it('separates python from the other dependencies', () => {
    expect(environmentSelectors.python({ environment: ENVIRONMENT })).toBe('3.11');
    expect(environmentSelectors.packages({ environment: ENVIRONMENT }).map((d) => d.name)).toEqual([
      'numpy',
    ]);
  });
});
