import { describe, expect, it } from 'vitest';

import { generateDockerfile } from './dockerfile';
import { dotSegmentProblem, shareProblem, wholeFoldersRemoved } from './guards';
import { defaultRecipe } from './model';
import { checkRecipe, MAX_VALUE_LENGTH } from './validate';

const issuesOf = (custom: unknown[]) => checkRecipe({ prune: { preset: 'none', custom } }).issues;

describe('custom glob guards', () => {
  it.each(['.*', 'lib/.*', 'share/.?', '.??/..', 'lib/..'])(
    'refuses %j, which reaches "." or ".."',
    (glob) => {
      const issues = issuesOf([glob]);
      expect(issues.map((i) => i.field)).toEqual(['prune.custom[0]']);
      expect(issues[0]!.message).toMatch(/"\.|\.\."|leave the prefix/);
    },
  );

  it('keeps refusing "." even with force (the shell refuses it whatever the recipe says)', () => {
    expect(issuesOf([{ glob: '.*', force: true }])).toHaveLength(1);
    expect(dotSegmentProblem('.??*')).toBeNull();
  });

  it.each([
    ['lib', ['lib']],
    ['bin', ['bin']],
    ['l*', ['lib', 'lib64', 'libexec']],
    ['?i?', ['bin', 'lib']],
    ['lib/*', ['lib']],
    ['conda-meta', ['conda-meta']],
  ])('refuses %j, a whole top-level folder, naming it', (glob, folders) => {
    expect(wholeFoldersRemoved(glob)).toEqual(folders);
    const [issue] = issuesOf([glob]);
    expect(issue!.message).toMatch(/removes the whole top-level folder/);
    for (const f of folders) expect(issue!.message).toContain(`"${f}"`);
    expect(issue!.message).toMatch(/force: true/);
  });

  it('accepts the same globs with force: true, and keeps the force on the rule', () => {
    const { recipe, issues } = checkRecipe({
      prune: { preset: 'none', custom: ['share/doc', { glob: 'lib', force: true }] },
    });
    expect(issues).toEqual([]);
    expect(recipe.prune.custom).toEqual(['share/doc', 'lib']);
    expect(recipe.prune.force).toEqual(['lib']);
    // The saved form (`force:` list beside `custom:`) reads back the same.
    const again = checkRecipe({
      prune: { preset: 'none', custom: ['share/doc', 'lib'], force: ['lib'] },
    });
    expect(again.issues).toEqual([]);
    expect(again.recipe.prune.force).toEqual(['lib']);
    expect(generateDockerfile({ ...defaultRecipe(), prune: recipe.prune })).toContain('/env/lib');
  });

  it.each([
    'share/doc',
    'lib/python3.11/site-packages/*/tests',
    '*.a',
    'lib/*.a',
    'share/terminfo',
  ])('accepts the narrow glob %j', (glob) => {
    expect(issuesOf([glob])).toEqual([]);
  });

  it('names a wrong custom entry precisely', () => {
    expect(issuesOf([{ glob: 'lib', force: 'yes' }]).map((i) => i.field)).toContain(
      'prune.custom[0].force',
    );
    expect(issuesOf([{ path: 'x' }]).map((i) => i.field)).toContain('prune.custom[0].path');
  });

  it('says how much a too-broad glob removes', () => {
    expect(shareProblem('lib/python*', 60, 100)).toMatch(
      /custom prune glob "lib\/python\*" would remove 60 B of the 100 B environment \(60%, estimated from the lock\).*force: true/,
    );
    expect(shareProblem('x', 50, 100)).toBeNull();
  });
});

describe('Dockerfile limits', () => {
  it('refuses an env value that would exceed a Dockerfile line, naming the field', () => {
    const { issues } = checkRecipe({ env: { BIG: 'x'.repeat(64 * 1024 + 1), SMALL: 'ok' } });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe('env.BIG');
    expect(issues[0]!.message).toMatch(/Dockerfile lines are limited to 64 KiB \(BuildKit\)/);
    const at = checkRecipe({ env: { OK: 'x'.repeat(MAX_VALUE_LENGTH) } });
    expect(at.issues).toEqual([]);
  });

  it('keeps every generated line under 64 KiB at the limit, quoting included', () => {
    const worst = '"\\$'.repeat(Math.floor(MAX_VALUE_LENGTH / 3));
    const { recipe, issues } = checkRecipe({ env: { A: worst }, labels: { 'org.x': worst } });
    expect(issues).toEqual([]);
    for (const line of generateDockerfile(recipe).split('\n'))
      expect(line.length).toBeLessThan(64 * 1024);
  });
});
