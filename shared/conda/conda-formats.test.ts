import { describe, expect, it } from 'vitest';

import { isCondenseError } from '../api/errors';
import { parseCondaLockYml, writeCondaLockYml } from './conda-lock-yml';
import { parseExplicitLockfile, writeExplicitLockfile } from './explicit-lockfile';
import { diffLocks } from './lock-diff';
import type { CondaLock, LockedPackage } from './lock-model';
import { MatchSpecError, parseMatchSpec } from './match-spec';
import { topologicalOrder } from './topological-order';

const base = 'http://127.0.0.1:9/conda-forge';
function pkg(
  name: string,
  version: string,
  depends: string[] = [],
  subdir = 'linux-64',
): LockedPackage {
  const build = subdir === 'noarch' ? 'pyhd8ed1ab_0' : 'h1234567_0';
  return {
    name,
    version,
    build,
    buildNumber: 0,
    platform: 'linux-64',
    subdir,
    url: `${base}/${subdir}/${name}-${version}-${build}.conda`,
    md5: (name + version)
      .padEnd(32, '0')
      .replace(/[^0-9a-f]/g, 'a')
      .slice(0, 32),
    sha256: 'b'.repeat(64),
    depends,
    manager: 'conda',
    category: 'main',
    optional: false,
  };
}

describe('match specs', () => {
  it.each([
    ['numpy', { name: 'numpy' }],
    ['numpy>=1.26,<2', { name: 'numpy', version: '>=1.26,<2' }],
    ['python 3.11.*', { name: 'python', version: '3.11.*' }],
    ['python=3.11', { name: 'python', version: '3.11.*' }],
    ['blas=*=openblas', { name: 'blas', build: 'openblas' }],
    ['libblas 3.9.* *openblas', { name: 'libblas', version: '3.9.*', build: '*openblas' }],
    ['conda-forge::scipy', { name: 'scipy', channel: 'conda-forge' }],
    ['conda-forge/linux-64::scipy', { name: 'scipy', channel: 'conda-forge', subdir: 'linux-64' }],
    [
      "numpy[version='>=1.26', build=*py311*]",
      { name: 'numpy', version: '>=1.26', build: '*py311*' },
    ],
    ['PyYAML', { name: 'pyyaml' }],
  ])('parses %s', (input, expected) => {
    expect(parseMatchSpec(input)).toMatchObject({ raw: input, ...expected });
  });

  it.each([
    ['num$py', 4, 'invalid character "$"'],
    ['numpy >=', 8, 'operator without a version'],
    ['numpy 1.2 b c', 7, 'too many words'],
    ['numpy[version=1', 6, 'unclosed "["'],
    ['', 1, 'empty match spec'],
    ['numpy >=1.2;', 12, 'invalid version'],
  ])('rejects %j at column %i', (input, column, message) => {
    try {
      parseMatchSpec(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MatchSpecError);
      expect((error as MatchSpecError).message).toContain(message);
      expect((error as MatchSpecError).column).toBe(column);
    }
  });
});

describe('topological order', () => {
  it('puts dependencies first and is stable', () => {
    const list = [
      pkg('numpy', '2.0', ['python >=3.11', 'libblas']),
      pkg('libblas', '3.9'),
      pkg('python', '3.11', ['libzlib']),
      pkg('libzlib', '1.3'),
    ];
    const names = topologicalOrder(list).map((p) => p.name);
    expect(names.indexOf('libzlib')).toBeLessThan(names.indexOf('python'));
    expect(names.indexOf('python')).toBeLessThan(names.indexOf('numpy'));
    expect(names.indexOf('libblas')).toBeLessThan(names.indexOf('numpy'));
    expect(topologicalOrder([...list]).map((p) => p.name)).toEqual(names);
  });

  it('survives cycles', () => {
    const names = topologicalOrder([
      pkg('a', '1', ['b']),
      pkg('b', '1', ['a']),
      pkg('c', '1', ['a']),
    ]).map((p) => p.name);
    expect(names).toHaveLength(3);
    expect(names.indexOf('c')).toBe(2);
  });
});

describe('explicit lockfile', () => {
  const packages = [
    pkg('python', '3.11.9', ['libzlib >=1.3']),
    pkg('libzlib', '1.3.1'),
    pkg('pip', '24.0', ['python'], 'noarch'),
  ];
  const options = { platform: 'linux-64', inputHash: 'c'.repeat(64), generator: 'Condense 0.1.0' };

  it('writes header, @EXPLICIT and md5 URLs in dependency order, byte-stable', () => {
    const text = writeExplicitLockfile(packages, options);
    expect(writeExplicitLockfile(packages, options)).toBe(text);
    const lines = text.split('\n');
    expect(lines[0]).toContain('Condense 0.1.0');
    expect(lines).toContain('# platform: linux-64');
    expect(lines).toContain(`# input_hash: ${'c'.repeat(64)}`);
    const urls = lines.slice(lines.indexOf('@EXPLICIT') + 1).filter(Boolean);
    expect(urls.map((l) => l.split('/').at(-1)!.split('-')[0])).toEqual([
      'libzlib',
      'python',
      'pip',
    ]);
    for (const line of urls) expect(line).toMatch(/#[0-9a-f]{32}$/);
  });

  it('writes sha256 fragments on request', () => {
    const text = writeExplicitLockfile(packages, { ...options, hash: 'sha256' });
    expect(text).toContain(`#${'b'.repeat(64)}\n`);
  });

  it('round-trips through the parser', () => {
    const parsed = parseExplicitLockfile(writeExplicitLockfile(packages, options));
    expect(parsed.platform).toBe('linux-64');
    expect(parsed.inputHash).toBe('c'.repeat(64));
    expect(parsed.packages.map((p) => [p.name, p.version, p.build, p.md5, p.subdir])).toEqual(
      topologicalOrder(packages).map((p) => [p.name, p.version, p.build, p.md5, p.subdir]),
    );
  });

  it('reads old conda-lock files with env_hash and tar.bz2', () => {
    const parsed = parseExplicitLockfile(
      '# Generated by conda-lock.\n# platform: linux-64\n# env_hash: abc123\n@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2#d7c89558ba9fa0495403155b64376d81\n',
    );
    expect(parsed.inputHash).toBe('abc123');
    expect(parsed.packages[0]).toMatchObject({
      name: '_libgcc_mutex',
      version: '0.1',
      build: 'conda_forge',
      md5: 'd7c89558ba9fa0495403155b64376d81',
    });
  });

  it('rejects files without @EXPLICIT and bad hashes, naming the line', () => {
    expect(() =>
      parseExplicitLockfile('# platform: linux-64\nhttps://x/linux-64/a-1-0.conda\n'),
    ).toThrow(/line 2: not an explicit lockfile/);
    expect(() => parseExplicitLockfile('@EXPLICIT\nhttps://x/linux-64/a-1-0.conda#ABC\n')).toThrow(
      /line 2: "#ABC" is not a lowercase md5/,
    );
  });
});

describe('conda-lock.yml', () => {
  const lock: CondaLock = {
    channels: [base],
    platforms: ['linux-64'],
    inputHashes: { 'linux-64': 'd'.repeat(64) },
    sources: ['environment.yml'],
    packages: [
      pkg('python', '3.11.9', ['libzlib >=1.3', 'python_abi 3.11.* *_cp311']),
      pkg('libzlib', '1.3.1'),
    ],
  };

  it('writes version 1 with conda-lock keys and round-trips', () => {
    const text = writeCondaLockYml(lock);
    expect(text).toMatch(/^version: 1$/m);
    expect(text).toContain('content_hash:');
    expect(text).toContain('used_env_vars: []');
    expect(text).toContain('python_abi: 3.11.* *_cp311');
    expect(text).toContain('category: main');
    const back = parseCondaLockYml(text);
    expect(back.inputHashes).toEqual(lock.inputHashes);
    expect(back.channels).toEqual(lock.channels);
    const find = (name: string) => back.packages.find((p) => p.name === name)!;
    expect(find('python').depends).toEqual(['libzlib >=1.3', 'python_abi 3.11.* *_cp311']);
    expect(find('libzlib')).toMatchObject({
      md5: lock.packages[1]!.md5,
      sha256: 'b'.repeat(64),
      build: 'h1234567_0',
    });
    expect(writeCondaLockYml(back)).toBe(text);
  });

  it('rejects other versions and missing md5 with a clear message', () => {
    expect(() => parseCondaLockYml('version: 2\nmetadata: {}\npackage: []\n')).toThrow(
      /version 2 is not supported/,
    );
    const noMd5 = writeCondaLockYml(lock).replace(/md5: [0-9a-f]+\n\s+/, '');
    try {
      parseCondaLockYml(noMd5);
      expect.unreachable();
    } catch (error) {
      expect(isCondenseError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).toMatch(/has no md5/);
    }
  });
});

describe('lock diff', () => {
  it('lists added, removed and changed packages', () => {
    const before = [pkg('python', '3.11.9'), pkg('numpy', '1.26.4'), pkg('six', '1.16')];
    const after = [pkg('python', '3.11.9'), pkg('numpy', '2.0.1'), pkg('pip', '24.0')];
    const diff = diffLocks(before, after);
    expect(diff.added.map((p) => p.name)).toEqual(['pip']);
    expect(diff.removed.map((p) => p.name)).toEqual(['six']);
    expect(diff.changed).toEqual([
      {
        name: 'numpy',
        platform: 'linux-64',
        from: { version: '1.26.4', build: 'h1234567_0' },
        to: { version: '2.0.1', build: 'h1234567_0' },
      },
    ]);
    expect(diff.unchanged).toBe(1);
  });
});
