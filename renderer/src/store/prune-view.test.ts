import { describe, expect, it } from 'vitest';

import type { PruneSettings } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import type { PackageFileList } from '../../../shared/recipe/savings';
import { estimateSavings } from '../../../shared/recipe/savings';
import { FILE_LISTS, savingsReport } from '../test-support/project-fixture';
import { customRuleGroups, variantSaving } from './prune-view';

const MIB = 1024 * 1024;
const CORE = 'lib/python3.11/site-packages/numpy/core';
const TESTS = 'lib/python3.11/site-packages/numpy/tests';
const STATIC = 'lib/libnpymath.a';
const NUMPY = 'lib/python3.11: packages never imported (numpy)';

/** The safe preset plus globs, as a trace writes them: reasons beside most, forced. */
function traced(custom: string[], reasons: Record<string, string>): PruneSettings {
  return { preset: 'safe', add: [], remove: [], custom, force: custom, reasons };
}

describe('customRuleGroups', () => {
  it('groups globs by reason in first-seen order and leaves globs without one alone', () => {
    const prune = traced(['bin/python3.11', CORE, STATIC, TESTS, 'share/nothing'], {
      'bin/python3.11': 'bin: programs no check ran',
      [CORE]: NUMPY,
      [TESTS]: NUMPY,
      'share/nothing': NUMPY,
      // A reason of a glob no longer in the list changes nothing.
      'lib/gone': 'gone',
    });
    const savings = savingsReport({ custom: ['bin/python3.11', CORE, STATIC, TESTS] });
    const { single, groups } = customRuleGroups(prune, savings);
    expect(single.map((r) => [r.glob, r.savingBytes])).toEqual([[STATIC, 3 * MIB]]);
    expect(groups.map((g) => [g.reason, g.rules.map((r) => r.glob)])).toEqual([
      ['bin: programs no check ran', ['bin/python3.11']],
      [NUMPY, [CORE, TESTS, 'share/nothing']],
    ]);
    const numpy = groups[1]!;
    expect(numpy.savingBytes).toBe(34 * MIB);
    // Not measured by the analysis: no figure, counted apart.
    expect(numpy.unmeasured).toBe(1);
    expect(numpy.rules[2]).toEqual({
      glob: 'share/nothing',
      id: 'custom:share/nothing',
      forced: true,
    });
  });

  it('keeps every glob alone when none has a reason', () => {
    const prune: PruneSettings = { preset: 'none', add: [], remove: [], custom: [CORE, TESTS] };
    const { single, groups } = customRuleGroups(prune, undefined);
    expect(single.map((r) => r.glob)).toEqual([CORE, TESTS]);
    expect(groups).toEqual([]);
  });
});

describe('variantSaving', () => {
  const globs = [CORE, TESTS, STATIC];
  const prune = traced(globs, { [CORE]: NUMPY, [TESTS]: NUMPY });

  it('counts what custom globs remove, a file a catalog rule also takes once', () => {
    const savings = savingsReport({ custom: globs });
    const preset = variantSaving(traced([], {}), savings, 'default');
    // safe: static libraries 3, headers 1, idlelib 2, ensurepip 2.
    expect(preset).toMatchObject({ savedBytes: 8 * MIB, exact: true, customBytes: 0 });
    const saving = variantSaving(prune, savings, 'traced');
    // + numpy/core 30 and numpy/tests 4; lib/libnpymath.a is the static-libs rule's already.
    expect(saving).toEqual({
      savedBytes: 42 * MIB,
      exact: true,
      customBytes: 37 * MIB,
      customGlobs: 3,
      unmeasuredGlobs: [],
    });
    // The service's own count of the same selection agrees.
    const rules = resolvePrune(prune, 'linux-64');
    expect(estimateSavings(FILE_LISTS, rules, '/env').totalBytes).toBe(saving.savedBytes);
  });

  it("takes the analysis' selection when it measured these very rules", () => {
    const savings = savingsReport({ custom: globs });
    const ruleIds = resolvePrune(prune, 'linux-64').map((r) => r.id);
    savings.selections = [{ id: 'traced', ruleIds: ruleIds.reverse(), bytes: 41 * MIB, files: 5 }];
    expect(variantSaving(prune, savings, 'traced')).toMatchObject({
      savedBytes: 41 * MIB,
      exact: true,
    });
    // Another set of rules (one glob fewer) is not that selection.
    const fewer = { ...prune, custom: [CORE, TESTS] };
    expect(variantSaving(fewer, savings, 'traced').savedBytes).toBe(42 * MIB);
  });

  it('is exact when rules share a folder or a file, and an upper bound only for older reports', () => {
    // numpy/core holds the module and its tests (cut at five levels, one folder): package-tests
    // and the tests glob both take the tests, the .so glob the module, the rest stays.
    const files: PackageFileList[] = [
      {
        name: 'numpy',
        version: '1',
        build: '0',
        files: [
          { path: `${CORE}/_multiarray.so`, type: 'file', size: 30 * MIB },
          { path: `${CORE}/tests/test_core.py`, type: 'file', size: 2 * MIB },
          { path: `${CORE}/kept.py`, type: 'file', size: 5 * MIB },
        ],
      },
    ];
    const glob = `${CORE}/*.so`;
    const testsGlob = `${CORE}/tests/*`;
    const savings = savingsReport({ custom: [glob, testsGlob], files });
    const all: PruneSettings = {
      preset: 'none',
      add: ['package-tests'],
      remove: [],
      custom: [glob, testsGlob],
    };
    // The tests file counts once, though two rules remove it.
    expect(variantSaving(all, savings, 'x')).toMatchObject({ savedBytes: 32 * MIB, exact: true });
    expect(variantSaving({ ...all, custom: [glob] }, savings, 'x')).toMatchObject({
      savedBytes: 32 * MIB,
      exact: true,
    });
    expect(variantSaving({ ...all, add: [] }, savings, 'x')).toMatchObject({
      savedBytes: 32 * MIB,
      exact: true,
    });
    // A report from before overlaps were measured: the rules' sum, capped at the folder, is a bound.
    const older = {
      ...savings,
      space: savings.space!.map((p) => ({
        ...p,
        folders: p.folders.map(({ overlaps: _overlaps, ...f }) => f),
      })),
    };
    expect(variantSaving(all, older, 'x')).toMatchObject({ savedBytes: 34 * MIB, exact: false });
    expect(variantSaving({ ...all, custom: [glob] }, older, 'x')).toMatchObject({
      savedBytes: 32 * MIB,
      exact: false,
    });
    // Without the folders at all, the rules' sum, capped, is the bound.
    const { space: _space, ...bare } = savings;
    expect(variantSaving({ ...all, custom: [glob] }, bare, 'x')).toMatchObject({
      savedBytes: 32 * MIB,
      exact: false,
    });
  });

  it('lists custom globs the analysis has not measured yet', () => {
    const savings = savingsReport({ custom: [CORE] });
    const saving = variantSaving(traced([CORE, TESTS], {}), savings, 'traced');
    expect(saving.unmeasuredGlobs).toEqual([TESTS]);
    expect(saving.savedBytes).toBe(38 * MIB);
  });
});
