import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

import { CondenseError } from '../api/errors';
import { generateDockerfile } from './dockerfile';
import type { Recipe } from './model';
import { defaultPrune, defaultRecipe } from './model';
import { checkRecipe, validateRecipe } from './validate';

const HOSTILE = [
  `'; rm -rf / #`,
  '$(touch /pwned)',
  '`touch /pwned`',
  '${HOME}',
  'a\nRUN touch /pwned',
  'a\r\nUSER root',
  '../../etc/passwd',
  '"quoted" \\ back\\',
  'x \\',
  '-rf',
];

function fullRecipe(): Recipe {
  return {
    ...defaultRecipe(),
    package: { path: '.', noBuildIsolation: true },
    entrypoint: { preset: 'module', module: 'svc.main', args: ['--port', '8000'] },
    workdir: '/app',
    port: 8000,
    env: { MODE: 'prod' },
    labels: { 'org.opencontainers.image.title': 'svc' },
    prune: { ...defaultPrune('safe'), custom: ['lib/python*/site-packages/svc/data'] },
  };
}

/** Every place a string can go, with a setter. */
const FIELDS: [string, (r: Recipe, v: string) => void][] = [
  ['builderImage', (r, v) => (r.builderImage = v)],
  ['runtimeImage', (r, v) => (r.runtimeImage = v)],
  ['prefix', (r, v) => (r.prefix = v)],
  ['lockfile', (r, v) => (r.lockfile = v)],
  ['package.path', (r, v) => (r.package = { path: v, noBuildIsolation: true })],
  ['entrypoint.module', (r, v) => (r.entrypoint = { preset: 'module', module: v })],
  ['entrypoint.args[0]', (r, v) => (r.entrypoint = { preset: 'module', module: 'm', args: [v] })],
  ['entrypoint.app', (r, v) => (r.entrypoint = { preset: 'gunicorn', app: v })],
  ['entrypoint.bind', (r, v) => (r.entrypoint = { preset: 'gunicorn', app: 'a:b', bind: v })],
  ['entrypoint.script', (r, v) => (r.entrypoint = { preset: 'script', script: v })],
  ['entrypoint.command[0]', (r, v) => (r.entrypoint = { preset: 'command', command: [v] })],
  ['workdir', (r, v) => (r.workdir = v)],
  ['env.MODE', (r, v) => (r.env = { MODE: v })],
  ['env', (r, v) => (r.env = { [v]: 'x' })],
  ['user', (r, v) => (r.user = v)],
  ['labels.title', (r, v) => (r.labels = { title: v })],
  ['labels', (r, v) => (r.labels = { [v]: 'x' })],
  ['prune.custom[0]', (r, v) => (r.prune = { ...defaultPrune('none'), custom: [v] })],
  ['prune.add[0]', (r, v) => (r.prune = { ...defaultPrune('none'), add: [v] })],
  ['variants[0].id', (r, v) => (r.variants = [{ id: v, prune: defaultPrune('none') }])],
];

function shape(text: string) {
  const instructions = DockerfileParser.parse(text).getInstructions();
  return {
    keywords: instructions.map((i) => i.getKeyword()),
    runs: instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent()),
  };
}

describe('validateRecipe', () => {
  it('accepts the defaults and fills missing fields', () => {
    expect(validateRecipe({})).toEqual(defaultRecipe());
    expect(validateRecipe(fullRecipe())).toEqual(fullRecipe());
  });

  it('names the field and says what to do', () => {
    const { issues } = checkRecipe({
      port: 70000,
      prefix: '/usr',
      entrypoint: { preset: 'gunicorn', app: 'no-colon' },
      prune: { preset: 'tiny', add: ['no-such-rule'] },
      variants: [{ id: 'A b' }, { id: 'x' }, { id: 'x' }],
      colour: 'red',
    });
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.message]));
    expect(byField.port).toMatch(/1 to 65535/);
    expect(byField.prefix).toMatch(/system files.*\/env/);
    expect(byField['entrypoint.app']).toMatch(/module:attribute/);
    expect(byField['prune.preset']).toMatch(/none, safe or expert/);
    expect(byField['prune.add[0]']).toMatch(
      /unknown rule "no-such-rule"; known rules: static-libs/,
    );
    expect(byField['variants[0].id']).toMatch(/lowercase/);
    expect(byField['variants[2].id']).toMatch(/used by another variant/);
    expect(byField.colour).toMatch(/unknown field/);
  });

  it('throws INVALID_INPUT with the issues as details', () => {
    try {
      validateRecipe({ lockfile: '../x.lock' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CondenseError);
      expect((error as CondenseError).code).toBe('INVALID_INPUT');
      expect((error as CondenseError).message).toMatch(/^The recipe has 1 problem: lockfile:/);
      expect((error as CondenseError).details?.issues).toHaveLength(1);
    }
  });

  it.each(['*', '*/*', '../etc', 'lib/../..', '/etc', 'lib//x', 'lib/$(id)', "lib/'x'", 'a b'])(
    'refuses the custom glob %j',
    (glob) => {
      const { issues } = checkRecipe({ prune: { preset: 'none', custom: [glob] } });
      expect(issues.map((i) => i.field)).toEqual(['prune.custom[0]']);
    },
  );
});

describe('hostile values', () => {
  const baseline = shape(generateDockerfile(fullRecipe()));

  for (const [field, set] of FIELDS) {
    it.each(HOSTILE)(`${field} = %j ends in a clear error or a quoted value`, (value) => {
      const recipe = fullRecipe();
      set(recipe, value);
      let text: string;
      try {
        text = generateDockerfile(recipe);
      } catch (error) {
        expect(error).toBeInstanceOf(CondenseError);
        const issues = (error as CondenseError).details?.issues as { field: string }[];
        expect(issues.length).toBeGreaterThan(0);
        // The message names the field that holds the value.
        const root = field.replace(/[.[].*$/, '');
        for (const issue of issues) expect(issue.field.startsWith(root)).toBe(true);
        return;
      }
      // Accepted: the file has the same instructions and the same shell commands as before.
      const got = shape(text);
      expect(got.keywords).toEqual(baseline.keywords);
      if (field === 'prune.custom[0]') {
        // A custom glob is the one value meant to reach the shell: only as a path under the prefix.
        expect(value).toMatch(/^[A-Za-z0-9._+@*?-]+$/);
        expect(got.runs.at(-1)).toMatch(new RegExp(`(^|&& )rm -rf /env/${value}$`));
      } else {
        expect(got.runs).toEqual(baseline.runs);
      }
      expect(text).not.toMatch(/^(RUN|USER) .*pwned/m);
      expect(text.split('\n').filter((line) => line.startsWith('USER'))).toEqual([
        'USER 65532:65532',
      ]);
    });
  }

  it('accepts hostile text in ENV, LABEL and CMD values only, escaped', () => {
    const recipe = fullRecipe();
    recipe.env = { MODE: '$(touch /pwned) "x" \\' };
    recipe.labels = { title: '${HOME} `id`' };
    recipe.entrypoint = { preset: 'module', module: 'm', args: [`'; rm -rf / #`, '"\\'] };
    const text = generateDockerfile(recipe);
    expect(text).toContain('MODE="\\$(touch /pwned) \\"x\\" \\\\"');
    expect(text).toContain('"title"="\\${HOME} `id`"');
    // dockerfile-ast's getJSONValue drops spaces inside strings, so read the line as JSON.
    const cmd = text.split('\n').find((line) => line.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice(4))).toEqual([
      '/env/bin/python',
      '-m',
      'm',
      `'; rm -rf / #`,
      '"\\',
    ]);
  });
});
