import { describe, expect, it } from 'vitest';

import { effectiveEnvironment, expandVariables } from './effective-environment';
import { nearestKey, parseEnvironmentFile } from './environment-file';
import { filterSelectors, lineSelector, selectorPlatforms } from './selectors';
import { SAMPLES } from './testing/samples';

describe('conda-lock selectors', () => {
  it.each([
    ['  - gcc_linux-64 >=6  # [linux64]', 'linux64'],
    ['  - clang  #[osx]', 'osx'],
    ['  - thing # note [win] trailing words', 'win'],
    ['  - pkg # [linux] (see issue)', undefined],
    ['  # - commented  # [linux]', undefined],
    ['  - plain', undefined],
  ])('%j has selector %j', (line, selector) => {
    expect(lineSelector(line)).toBe(selector);
  });

  it.each([
    ['linux', ['linux-64', 'linux-aarch64', 'linux-ppc64le']],
    ['unix', ['linux-64', 'linux-aarch64', 'linux-ppc64le', 'osx-64', 'osx-arm64']],
    ['osx', ['osx-64', 'osx-arm64']],
    ['arm64', ['osx-arm64']],
    ['aarch64', ['linux-aarch64']],
    ['win', ['win-64']],
    ['linux and not aarch64', []],
    ['not win', []],
  ])('[%s] keeps its line on %j', (selector, platforms) => {
    expect(selectorPlatforms(selector)).toEqual(platforms);
  });

  it('filters conda and pip lines per platform, keeping line numbers', () => {
    const text = SAMPLES.condaLockSelectors!;
    expect(filterSelectors(text, 'linux-64').split('\n')).toHaveLength(text.split('\n').length);
    const names = (platform: string) => {
      const env = effectiveEnvironment(text, platform);
      return [env.conda.map((d) => d.name), env.pip];
    };
    expect(names('linux-64')).toEqual([['python', 'gcc_linux-64'], ['tomli']]);
    expect(names('osx-arm64')).toEqual([['python', 'clang_osx-64', 'libgfortran'], ['tomli']]);
    expect(names('win-64')).toEqual([['python', 'vs2019_win-64'], ['pywin32']]);
  });
});

describe('reading environment.yml', () => {
  it('keeps selectors, variables, category, platforms and pip-repositories', () => {
    const { spec } = parseEnvironmentFile(
      SAMPLES.condaLockSelectors! +
        'category: dev\nvariables:\n  TOKEN_FILE: /run/secrets/t\n  EMPTY:\npip-repositories:\n  - https://user:${PIP_TOKEN}@pypi.example.org/simple\n',
    );
    expect(spec.dependencies.find((d) => d.name === 'clang_osx-64')?.selector).toBe('osx');
    expect(spec.pipSelectors).toEqual({ 0: 'unix', 1: 'win' });
    expect(spec.variables).toEqual({ TOKEN_FILE: '/run/secrets/t', EMPTY: '' });
    expect(spec.category).toBe('dev');
    expect(spec.platforms).toEqual(['linux-64', 'osx-arm64', 'win-64']);
    expect(spec.pipRepositories).toEqual(['https://user:${PIP_TOKEN}@pypi.example.org/simple']);
  });

  it('reads numbers in variables as text, as conda does', () => {
    expect(parseEnvironmentFile(SAMPLES.repo2dockerLike!).spec.variables).toEqual({
      MPLBACKEND: 'Agg',
      OMP_NUM_THREADS: '1',
    });
  });

  it('warns about unknown keys with the nearest known one, and selectors that match nothing', () => {
    const { spec } = parseEnvironmentFile(
      'name: x\nchanels: [conda-forge]\ndependecies:\n  - numpy\nx-notes: hi\ndependencies:\n  - cuda  # [linux and not aarch64]\n',
    );
    expect(spec.warnings.map((w) => [w.line, w.column])).toEqual([
      [2, 1],
      [3, 1],
      [5, 1],
      [7, 13],
    ]);
    const messages = spec.warnings.map((w) => w.message);
    expect(messages[0]).toContain('unknown key "chanels" (did you mean "channels"?)');
    expect(messages[1]).toContain('"dependecies" (did you mean "dependencies"?)');
    expect(messages[2]).toBe('unknown key "x-notes": conda and Condense ignore it');
    expect(messages[3]).toContain('selector [linux and not aarch64] matches no platform');
    expect(nearestKey('platfroms')).toBe('platforms');
    expect(nearestKey('zzz')).toBeUndefined();
  });

  it('refuses bad variables with their line', () => {
    expect(() => parseEnvironmentFile('variables:\n  1BAD: x\n')).toThrow(
      /line 2, column 3: "1BAD" is not an environment variable name/,
    );
    expect(() => parseEnvironmentFile('variables:\n  A: [1, 2]\n')).toThrow(
      /line 2, column 6: variable A must be a plain value/,
    );
  });
});

describe('expansion at lock time', () => {
  it('expands $VAR and ${VAR} like expandvars, leaving unset ones as written', () => {
    expect(
      expandVariables('https://$HOST/t/${TOKEN}/ch/$NOPE', { HOST: 'h', TOKEN: 'abc' }),
    ).toEqual({
      value: 'https://h/t/abc/ch/$NOPE',
      missing: ['NOPE'],
    });
  });

  it('expands channels and pip lines, keeps what was written, and names unset variables', () => {
    const text =
      'channels:\n  - https://conda.example.org/t/${CONDA_TOKEN}/internal\n  - conda-forge\ndependencies:\n  - numpy\n  - pip:\n    - --index-url https://${PIP_HOST}/simple\n    - requests\n';
    const env = effectiveEnvironment(text, 'linux-64', { CONDA_TOKEN: 'sekrit' });
    expect(env.channels[0]).toBe('https://conda.example.org/t/sekrit/internal');
    expect(env.channelsAsWritten[0]).toBe('https://conda.example.org/t/${CONDA_TOKEN}/internal');
    expect(env.pip).toEqual(['--index-url https://${PIP_HOST}/simple', 'requests']);
    expect(env.warnings).toEqual([
      {
        line: 7,
        column: 27,
        message: expect.stringContaining('uses $PIP_HOST, which is not set') as unknown,
      },
    ]);
  });
});
