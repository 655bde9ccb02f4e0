import { describe, expect, it } from 'vitest';

import { effectiveEnvironment } from '../environment/effective-environment';
import { inputHashText, pythonJson } from './input-hash';

const TEXT = `channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - numpy >=1.26
  - conda-forge::scipy=1.12=py311h0_0
  - clang  # [osx]
  - pip:
    - requests[socks,security]==2.32.0
`;

describe("conda-lock's content hash", () => {
  it("is Python's json.dumps(sort_keys=True) text", () => {
    expect(pythonJson({ b: [1, null, true], a: 'é"' })).toBe(
      '{"a": "\\u00e9\\"", "b": [1, null, true]}',
    );
  });

  it('hashes what conda-lock hashes for one platform', () => {
    const data = JSON.parse(inputHashText(effectiveEnvironment(TEXT, 'linux-64'))) as {
      channels: string[];
      specs: Record<string, unknown>[];
      virtual_package_hash: Record<string, { packages: Record<string, { build: string }> }>;
    };
    // nodefaults is dropped; each channel is pydantic's compact JSON of conda-lock's Channel.
    expect(data.channels).toEqual(['{"url":"conda-forge","used_env_vars":[]}']);
    // Sorted by (manager, name); conda-lock's implicit `pip` replaces nothing here but is added.
    expect(data.specs.map((s) => [s.manager, s.name, s.version, s.build, s.conda_channel])).toEqual(
      [
        ['conda', 'numpy', '>=1.26', null, null],
        ['conda', 'pip', '*', null, null],
        ['conda', 'python', '3.11.*', null, null],
        ['conda', 'scipy', '1.12', 'py311h0_0', 'conda-forge'],
        ['pip', 'requests', '==2.32.0', null, null],
      ],
    );
    expect(data.specs[4]!.extras).toEqual(['security', 'socks']);
    // conda-lock's default virtual packages, __cuda 11.4 included.
    expect(Object.keys(data.virtual_package_hash.noarch!.packages)).toEqual([]);
    expect(Object.keys(data.virtual_package_hash['linux-64']!.packages).sort()).toEqual([
      '__archspec-1-x86_64.tar.bz2',
      '__cuda-11.4-0.tar.bz2',
      '__glibc-2.28-0.tar.bz2',
      '__linux-5.10-0.tar.bz2',
      '__unix-0-0.tar.bz2',
    ]);
  });

  it('changes only on the platforms a selector line is kept for', () => {
    const edited = TEXT.replace('clang  # [osx]', 'clang >=17  # [osx]');
    const hash = (text: string, platform: string) =>
      inputHashText(effectiveEnvironment(text, platform));
    expect(hash(edited, 'linux-64')).toBe(hash(TEXT, 'linux-64'));
    expect(hash(edited, 'osx-arm64')).not.toBe(hash(TEXT, 'osx-arm64'));
  });

  it('follows the cuda option and custom virtual packages', () => {
    const env = effectiveEnvironment(TEXT, 'linux-64');
    expect(inputHashText(env, { cuda: '' })).not.toContain('__cuda');
    expect(inputHashText(env, { cuda: '12.2' })).toContain('__cuda-12.2-0.tar.bz2');
    const custom = inputHashText(env, {
      customVirtualPackages: [{ name: '__glibc', version: '2.17', build: '0' }],
    });
    expect(custom).toContain('__glibc-2.17-0.tar.bz2');
    expect(custom).not.toContain('__linux');
  });
});
