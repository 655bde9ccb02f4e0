import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

import { generateDockerfile, MAX_RUN_LENGTH, pruneStage } from './dockerfile';
import type { PruneSettings, Recipe } from './model';
import { defaultPrune, defaultRecipe } from './model';
import { pruneYaml } from './recipe-yaml';
import { checkRecipe } from './validate';

function fields(recipe: unknown): string[] {
  return checkRecipe(recipe).issues.map((i) => i.field);
}

describe('custom rules with reasons', () => {
  const yaml = {
    preset: 'safe',
    custom: [
      { glob: 'bin/sqlite3', reason: 'bin: programs no check ran' },
      { glob: 'include', reason: 'headers no check read', force: true },
      'share/doc',
      { glob: 'share/man', force: true },
    ],
  };

  it('reads {glob, reason, force} into custom, force and reasons', () => {
    const { recipe, issues } = checkRecipe({ prune: yaml });
    expect(issues).toEqual([]);
    expect(recipe.prune).toEqual({
      ...defaultPrune('safe'),
      custom: ['bin/sqlite3', 'include', 'share/doc', 'share/man'],
      force: ['include', 'share/man'],
      reasons: { 'bin/sqlite3': 'bin: programs no check ran', include: 'headers no check read' },
    });
  });

  it('writes reasons beside their globs and reads back the same settings', () => {
    const prune = checkRecipe({ prune: yaml }).recipe.prune;
    const written = pruneYaml(prune);
    expect(written.custom).toEqual([...yaml.custom.slice(0, 3), 'share/man']);
    // The forced glob without a reason keeps the `force:` list, as files were written before.
    expect(written.force).toEqual(['share/man']);
    expect(checkRecipe({ prune: written }).recipe.prune).toEqual(prune);
    // The app's own form (reasons beside custom) reads the same.
    expect(checkRecipe({ prune }).recipe.prune).toEqual(prune);
  });

  it('writes settings without reasons as before', () => {
    const plain: PruneSettings = { ...defaultPrune('none'), custom: ['lib'], force: ['lib'] };
    expect(pruneYaml(plain)).toEqual(plain);
    expect(Object.keys(pruneYaml({ ...plain, bytecode: 'drop' }))).toEqual([
      'preset',
      'add',
      'remove',
      'custom',
      'force',
      'bytecode',
    ]);
  });

  it('keeps a glob named like __proto__ as a plain key', () => {
    const prune = checkRecipe({ prune: { custom: [{ glob: '__proto__', reason: 'odd' }] } }).recipe
      .prune;
    expect(Object.hasOwn(prune.reasons!, '__proto__')).toBe(true);
    expect(pruneYaml(prune).custom).toEqual([{ glob: '__proto__', reason: 'odd' }]);
  });

  it('names bad reasons and unknown keys', () => {
    expect(
      fields({
        prune: {
          custom: [
            { glob: 'a', reason: 3 },
            { glob: 'b', reason: 'x'.repeat(501) },
            { glob: 'c', reasons: 'typo' },
            { glob: 'd', reason: 'two\nlines' },
          ],
          reasons: 'not a map',
        },
      }),
    ).toEqual([
      'prune.reasons',
      'prune.custom[0].reason',
      'prune.custom[1].reason',
      'prune.custom[2].reasons',
      'prune.custom[3].reason',
    ]);
  });
});

describe('trace: in condense.yml', () => {
  const trace = {
    keep: ['lib/python3.11/site-packages/certifi', 'share'],
    commands: [['/env/bin/python', '-c', 'import app.batch']],
    requests: [
      { path: '/predict', method: 'post', body: { x: 1 }, status: 200, expect: 'fare' },
      { path: '/health' },
    ],
  };

  it('reads pins, commands and requests (the service check without its timeout)', () => {
    const { recipe, issues } = checkRecipe({ trace });
    expect(issues).toEqual([]);
    expect(recipe.trace).toEqual({
      keep: trace.keep,
      commands: trace.commands,
      requests: [
        { path: '/predict', method: 'POST', body: '{"x":1}', status: 200, expect: 'fare' },
        { path: '/health', method: 'GET', body: null, status: 200, expect: null },
      ],
    });
    expect(checkRecipe({ trace: recipe.trace }).recipe.trace).toEqual(recipe.trace);
    expect(checkRecipe({}).recipe.trace).toBeUndefined();
  });

  it('names every bad field', () => {
    expect(
      fields({
        trace: {
          keep: ['../etc', 'ok/*', 7],
          commands: [[], ['python', 'a\nb'], 'python -c 1', ['']],
          requests: [{ path: 'no-slash', timeoutSeconds: 5 }, null, { method: 'DELETE' }],
          extra: 1,
        },
      }),
    ).toEqual([
      'trace.extra',
      'trace.keep[0]',
      'trace.keep[2]',
      'trace.commands[0]',
      'trace.commands[1][1]',
      'trace.commands[2]',
      'trace.commands[3][0]',
      'trace.requests[0].timeoutSeconds',
      'trace.requests[0].path',
      'trace.requests[1]',
      'trace.requests[2].method',
    ]);
  });
});

describe('a traced variant with hundreds of globs', () => {
  const globs = Array.from(
    { length: 900 },
    (_, i) =>
      `lib/python3.11/site-packages/package_number_${String(i).padStart(4, '0')}/some/deeper/folder/module_${i}.py`,
  );
  const prune: PruneSettings = {
    ...defaultPrune('safe'),
    custom: globs,
    reasons: Object.fromEntries(globs.map((g) => [g, 'site-packages: packages never imported'])),
  };
  const recipe: Recipe = checkRecipe({
    ...defaultRecipe(),
    variants: [
      { id: 'safe', prune: defaultPrune('safe') },
      { id: 'traced', prune },
    ],
  }).recipe;

  it('validates', () => {
    expect(checkRecipe(recipe).issues).toEqual([]);
  });

  it('renders a Dockerfile that parses, every glob once, RUNs within the argument limit', () => {
    const text = generateDockerfile(recipe);
    const instructions = DockerfileParser.parse(text).getInstructions();
    expect(text).toContain(`AS ${pruneStage('traced')}`);
    const runs = instructions
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? '');
    expect(runs.every((run) => run.length <= MAX_RUN_LENGTH)).toBe(true);
    const tracedRuns = runs.filter((run) => run.includes('package_number_'));
    expect(tracedRuns.length).toBeGreaterThan(1);
    // Every glob once, in order, across the RUNs.
    const removed = tracedRuns.join('\n').match(/rm -rf \/env\/\S+package_number_\S+/g) ?? [];
    expect(removed.map((r) => r.slice('rm -rf /env/'.length))).toEqual(globs);
    // No physical line near BuildKit's 64 KiB line limit.
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThan(1024);
  });
});
