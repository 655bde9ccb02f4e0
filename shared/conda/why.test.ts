import { describe, expect, it } from 'vitest';

import { dependencyName, packageReasons } from './why';

describe('packageReasons', () => {
  it('reads names from match specs', () => {
    expect(dependencyName('libgcc-ng >=12')).toBe('libgcc-ng');
    expect(dependencyName('python_abi 3.11.* *_cp311')).toBe('python_abi');
    expect(dependencyName('numpy>=1.21,<2')).toBe('numpy');
    expect(dependencyName('conda-forge::openssl >=3')).toBe('openssl');
  });

  it('gives the shortest path from a requested package, and none for strays', () => {
    const reasons = packageReasons(
      [
        { name: 'pandas', depends: ['numpy >=1.22', 'python-dateutil', 'python >=3.9'] },
        { name: 'numpy', depends: ['libblas >=3.9', 'python >=3.11'] },
        { name: 'libblas', depends: ['libopenblas'] },
        { name: 'libopenblas', depends: [] },
        { name: 'python', depends: ['openssl >=3'] },
        { name: 'openssl', depends: [] },
        { name: 'python-dateutil', depends: ['six'] },
        { name: 'six', depends: [] },
        { name: 'stray', depends: [] },
      ],
      ['pandas', 'Python'],
    );
    expect(reasons.get('pandas')).toEqual({ requested: true, path: ['pandas'] });
    expect(reasons.get('python')).toEqual({ requested: true, path: ['python'] });
    expect(reasons.get('libopenblas')?.path).toEqual(['pandas', 'numpy', 'libblas', 'libopenblas']);
    // python is requested itself: openssl is explained through it, not through pandas.
    expect(reasons.get('openssl')?.path).toEqual(['python', 'openssl']);
    expect(reasons.get('stray')).toEqual({ requested: false, path: [] });
  });
});
