import { describe, expect, it } from 'vitest';

import { MatchSpecError, parseMatchSpec, solverSpec } from './match-spec';

// Cases written from the facts of conda's tests/models/test_match_spec.py (canonical forms,
// _parse_spec_str results, errors) and rattler_conda_types' match_spec parse tests (lenient
// snapshots). `version` is what conda's VersionSpec holds (`=1.7` -> `1.7.*`).
type Parts = { name: string; version?: string; build?: string; channel?: string; subdir?: string };
const parsed: [string, Parts][] = [
  ['numpy', { name: 'numpy' }],
  ['numpy=1.7', { name: 'numpy', version: '1.7.*' }],
  ['numpy 1.7*', { name: 'numpy', version: '1.7.*' }],
  ['numpy 1.7.*', { name: 'numpy', version: '1.7.*' }],
  ["numpy[version='1.7*']", { name: 'numpy', version: '1.7.*' }],
  ['numpy[version=1.7.*]', { name: 'numpy', version: '1.7.*' }],
  ['numpy==1.7', { name: 'numpy', version: '1.7' }],
  ['numpy ==1.7', { name: 'numpy', version: '1.7' }],
  ["numpy[version='1.7']", { name: 'numpy', version: '1.7' }],
  ['numpy 1.7', { name: 'numpy', version: '1.7' }],
  ["numpy[version='1.7|1.8']", { name: 'numpy', version: '1.7|1.8' }],
  ['numpy[version="1.7,1.8"]', { name: 'numpy', version: '1.7,1.8' }],
  ['numpy >1.7', { name: 'numpy', version: '>1.7' }],
  ['numpy>=1.7', { name: 'numpy', version: '>=1.7' }],
  ['numpy=1.7=py3*_2', { name: 'numpy', version: '1.7', build: 'py3*_2' }],
  ['numpy=1.7.*=py3*_2', { name: 'numpy', version: '1.7.*', build: 'py3*_2' }],
  ['numpy=1.10=py38_0', { name: 'numpy', version: '1.10', build: 'py38_0' }],
  ['numpy==1.10=py38_0', { name: 'numpy', version: '==1.10', build: 'py38_0' }],
  ['numpy[version=1.10 build=py38_0]', { name: 'numpy', version: '1.10', build: 'py38_0' }],
  ['numpy!=1.10', { name: 'numpy', version: '!=1.10' }],
  ['numpy !=1.10 py38_0', { name: 'numpy', version: '!=1.10', build: 'py38_0' }],
  ['numpy!=1.10=py38_0', { name: 'numpy', version: '!=1.10', build: 'py38_0' }],
  ['numpy >1.7,!=1.10 py38_0', { name: 'numpy', version: '>1.7,!=1.10', build: 'py38_0' }],
  ['numpy!=1.10.*', { name: 'numpy', version: '!=1.10.*' }],
  ['numpy=1.10.*,!=1.10.2', { name: 'numpy', version: '=1.10.*,!=1.10.2' }],
  ['numpy ~=1.10.1', { name: 'numpy', version: '~=1.10.1' }],
  ['numpy ~=1.10.1 py38_0', { name: 'numpy', version: '~=1.10.1', build: 'py38_0' }],
  ['openssl=1.1.1_', { name: 'openssl', version: '1.1.1_.*' }],
  ['openssl>=1.1.1_,!=1.1.1c', { name: 'openssl', version: '>=1.1.1_,!=1.1.1c' }],
  ['python=2.6*', { name: 'python', version: '2.6.*' }],
  ['ipython==0.13.0', { name: 'ipython', version: '0.13.0' }],
  ['foo=1.3.0=3', { name: 'foo', version: '1.3.0', build: '3' }],
  ['zope.int>=1.3,<3.0', { name: 'zope.int', version: '>=1.3,<3.0' }],
  ['FOO-Bar >=1.0', { name: 'foo-bar', version: '>=1.0' }],
  ['foo >= 1.0', { name: 'foo', version: '>=1.0' }],
  ['foo != 1.0', { name: 'foo', version: '!=1.0' }],
  ['foo >=1.0 , < 2.0', { name: 'foo', version: '>=1.0,<2.0' }],
  ['python >= 3.8, < 3.9', { name: 'python', version: '>=3.8,<3.9' }],
  ['numpy=', { name: 'numpy' }],
  ['numpy # comment', { name: 'numpy' }],
  ['defaults::numpy=1.8', { name: 'numpy', version: '1.8.*', channel: 'defaults' }],
  ['defaults::numpy =1.8', { name: 'numpy', version: '1.8.*', channel: 'defaults' }],
  [
    'defaults::numpy 1.8 py27_0',
    { name: 'numpy', version: '1.8', build: 'py27_0', channel: 'defaults' },
  ],
  ['defaults::numpy[channel=anaconda]', { name: 'numpy', channel: 'anaconda' }],
  [
    "defaults::numpy=1.8=py27_0 [channel='anaconda',version=\">=1.8,<2|1.9\", build='3']",
    { name: 'numpy', version: '>=1.8,<2|1.9', build: '3', channel: 'anaconda' },
  ],
  ['tensorflow[name=pytorch]', { name: 'tensorflow' }],
  ['https://repo.anaconda.com/pkgs/free::numpy', { name: 'numpy', channel: 'pkgs/free' }],
  ['numpy[channel=https://repo.anaconda.com/pkgs/free]', { name: 'numpy', channel: 'pkgs/free' }],
  ['conda-forge::numpy', { name: 'numpy', channel: 'conda-forge' }],
  ['numpy[channel=conda-forge]', { name: 'numpy', channel: 'conda-forge' }],
  [
    'numpy[channel=defaults,subdir=osx-64]',
    { name: 'numpy', channel: 'defaults', subdir: 'osx-64' },
  ],
  [
    'numpy[channel=https://repo.anaconda.com/pkgs/free/osx-64, subdir=linux-64]',
    { name: 'numpy', channel: 'pkgs/free', subdir: 'linux-64' },
  ],
  ['conda-forge/linux-64::numpy', { name: 'numpy', channel: 'conda-forge', subdir: 'linux-64' }],
  ['numpy[subdir=win-32]', { name: 'numpy', subdir: 'win-32' }],
  ['*/win-32::numpy', { name: 'numpy', subdir: 'win-32' }],
  ['*/win-32::numpy[subdir="osx-64"]', { name: 'numpy', subdir: 'osx-64' }],
  ['name[version=*,build=*py27*]', { name: 'name', build: '*py27*' }],
  ['name[version=1.*]', { name: 'name', version: '1.*' }],
  ['numpy~=1.7.1', { name: 'numpy', version: '~=1.7.1' }],
  ['numpy>1.8,<2|==1.7', { name: 'numpy', version: '>1.8,<2|==1.7' }],
  [
    'numpy >1.8,<2|==1.7,!=1.9,~=1.7.1 py34_0',
    { name: 'numpy', version: '>1.8,<2|==1.7,!=1.9,~=1.7.1', build: 'py34_0' },
  ],
  [
    'https://conda.anaconda.org/conda-canary/linux-64/conda-4.3.21.post699+1dab973-py36h4a561cd_0.tar.bz2',
    {
      name: 'conda',
      version: '4.3.21.post699+1dab973',
      build: 'py36h4a561cd_0',
      channel: 'conda-canary',
      subdir: 'linux-64',
    },
  ],
  // rattler's lenient snapshots
  ['blas *.* mkl', { name: 'blas', version: '*.*', build: 'mkl' }],
  ['python 3.8.* *_cpython', { name: 'python', version: '3.8.*', build: '*_cpython' }],
  ['pytorch=*=cuda*', { name: 'pytorch', build: 'cuda*' }],
  ['x264 >=1!164.3095,<1!165', { name: 'x264', version: '>=1!164.3095,<1!165' }],
  ['python=3.9', { name: 'python', version: '3.9.*' }],
  ['python=*', { name: 'python' }],
  ['rust ~=1.2.3', { name: 'rust', version: '~=1.2.3' }],
  ['conda-forge::foo[version=1.0.*]', { name: 'foo', version: '1.0.*', channel: 'conda-forge' }],
  [
    'conda-forge/linux-32::python[version=3.9, subdir=linux-64]',
    { name: 'python', version: '3.9', channel: 'conda-forge', subdir: 'linux-64' },
  ],
  [
    'python ==3.9[channel=conda-forge/linux-64]',
    { name: 'python', version: '3.9', channel: 'conda-forge', subdir: 'linux-64' },
  ],
  [
    'channel/win-64::foobar[channel=conda-forge, subdir=linux-64]',
    { name: 'foobar', channel: 'conda-forge', subdir: 'linux-64' },
  ],
  [
    'https://c.com/p/conda/linux-64::python[version=3.9]',
    { name: 'python', version: '3.9', channel: 'https://c.com/p/conda', subdir: 'linux-64' },
  ],
];

describe('match specs as conda reads them', () => {
  it.each(parsed)('%s', (input, expected) => {
    const spec = parseMatchSpec(input);
    const parts = {
      name: spec.name,
      ...(spec.version ? { version: spec.version } : {}),
      ...(spec.build ? { build: spec.build } : {}),
      ...(spec.channel ? { channel: spec.channel } : {}),
      ...(spec.subdir ? { subdir: spec.subdir } : {}),
    };
    expect(parts).toEqual(expected);
  });

  it('keeps md5, sha256 and build_number', () => {
    const md5 = '253b922ecdb5a30884875948b8904983';
    expect(parseMatchSpec(`tensorflow[name=* version=* md5=${md5}]`).keys).toEqual({ md5 });
    expect(parseMatchSpec(`numpy[sha256=${'a'.repeat(64)}]`).keys).toEqual({
      sha256: 'a'.repeat(64),
    });
    expect(parseMatchSpec("numpy[build_number='>=7']").keys).toEqual({ build_number: '>=7' });
  });

  it.each([
    ['blas [optional', 6, 'unclosed "["'],
    ['blas [test=]', 7, 'unknown key "test"'],
    ['blas[invalid="1"]', 6, 'unknown key "invalid"'],
    ['blas[md5=]', 6, 'has no value'],
    ['!xyz 1.3', 1, 'no package name'],
    ['>=1.0', 1, 'no package name'],
    ['num$py', 4, 'invalid character "$"'],
    ['numpy >=', 7, 'operator without a version'],
    ['numpy==', 6, 'operator without a version'],
    ['numpy 1.2 b c', 7, 'too many words'],
    ['numpy[version=1', 6, 'unclosed "["'],
    ['', 1, 'empty match spec'],
    ['numpy >=1.2;', 12, 'invalid character ";"'],
    ['numpy 1..2', 7, 'invalid version'],
    ['numpy[version=1][build=2]', 17, 'only one [ ] section'],
  ])('refuses %j (column %i)', (input, column, message) => {
    let caught: unknown;
    try {
      parseMatchSpec(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MatchSpecError);
    expect((caught as MatchSpecError).message).toContain(message);
    expect((caught as MatchSpecError).column).toBe(column);
  });

  it.each([
    ['numpy=1.7=py38_0', 'numpy ==1.7 py38_0'],
    ['python=3.11', 'python 3.11.*'],
    ['blas=*=openblas', 'blas * openblas'],
    ['conda-forge::scipy>=1', 'scipy >=1'],
    [
      'numpy[md5=0123456789abcdef0123456789abcdef]',
      "numpy[md5='0123456789abcdef0123456789abcdef']",
    ],
  ])('gives the solver %s as %s', (input, expected) => {
    expect(solverSpec(parseMatchSpec(input))).toBe(expected);
  });
});
