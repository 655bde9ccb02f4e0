import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { parseBlockYaml } from './block-yaml';
import { writeCondaLockYml } from './conda-lock-yml';
import type { LockedPackage } from './lock-model';

const pkg = (over: Partial<LockedPackage>): LockedPackage => ({
  name: 'numpy',
  version: '1.26.4',
  build: 'py311h64a7726_0',
  buildNumber: 0,
  platform: 'linux-64',
  subdir: 'linux-64',
  url: 'https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda',
  md5: 'a502d7aad449a1206efb366d6a12c52d',
  depends: ['libblas >=3.9.0,<4.0a0', 'python >=3.11,<3.12.0a0', 'python_abi 3.11.* *_cp311'],
  manager: 'conda',
  category: 'main',
  optional: false,
  ...over,
});

describe('parseBlockYaml', () => {
  it('reads what the conda-lock.yml writer produces exactly as yaml.parse does', () => {
    const text = writeCondaLockYml({
      channels: ['https://conda.anaconda.org/conda-forge', 'http://127.0.0.1:8080/my channel'],
      platforms: ['linux-64', 'osx-arm64'],
      inputHashes: { 'linux-64': 'abc', 'osx-arm64': '0123' },
      sources: ['environment.yml'],
      customMetadata: { 'condense.virtual_packages.linux-64': '__glibc=2.28=0;__unix=0=0' },
      packages: [
        pkg({}),
        pkg({ name: 'tzdata', version: '2024a', build: 'h0c530f3_0', depends: [] }),
        pkg({ name: 'pytz', version: '2024.1', build: '0', sha256: 'f'.repeat(64) }),
        pkg({ name: 'x', version: '1.10', depends: ['true', 'y 1.0e5', 'z *', 'n null'] }),
        pkg({ name: 'yes', version: '7', build: 'h#1', depends: ['a: b', 'c >=1 # x'] }),
        pkg({ name: 'q', version: '~', platform: 'osx-arm64', optional: true, category: 'dev' }),
      ],
    });
    const fast = parseBlockYaml(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parse(text));
  });

  it('leaves everything outside its subset to the yaml library', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: [1, 2]\n',
      'a: |\n  text\n',
      "a: 'single'\n",
      'a: "esc\\"aped"\n',
      'a: 1.5\n',
      'a: 0x1f\n',
      'a: null\n',
      'a:\n',
      'a: b\n  continued\n',
      '---\na: 1\n',
      'a: 1\na: 2\n',
      '- a\n',
      '__proto__: 1\n',
      '? complex\n: key\n',
    ]) {
      expect(parseBlockYaml(text), text).toBeUndefined();
    }
    expect(parseBlockYaml('version: 1\nlist:\n  - a\n  - "b c"\nmap: {}\n')).toEqual({
      version: 1,
      list: ['a', 'b c'],
      map: {},
    });
  });
});
