import { describe, expect, it } from 'vitest';

import { isCondenseError } from '../api/errors';
import { importSource, topLevelModules } from './smoke';

describe('topLevelModules', () => {
  it('finds packages, single-file modules and extension modules in site-packages', () => {
    const paths = [
      'lib/python3.11/site-packages/numpy/__init__.py',
      'lib/python3.11/site-packages/numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so',
      'lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA',
      'lib/python3.11/site-packages/six.py',
      'lib/python3.11/site-packages/__pycache__/six.cpython-311.pyc',
      'lib/python3.11/site-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so',
      'lib/python3.11/site-packages/_cffi_backend.cpython-311-x86_64-linux-gnu.so',
      'lib/python3.11/site-packages/markupsafe/_speedups.c',
      'lib/python3.11/site-packages/distutils-precedence.pth',
      'lib/python3.11/site-packages/zope/interface/__init__.py',
      'lib/libz.so.1',
      'bin/python3.11',
      'Lib\\site-packages\\winmod\\__init__.py',
    ];
    expect(topLevelModules(paths)).toEqual(['numpy', 'six', 'winmod', 'yaml', 'zope']);
  });

  it('gives nothing for a package without Python files', () => {
    expect(topLevelModules(['lib/libssl.so.3', 'include/openssl/ssl.h'])).toEqual([]);
  });
});

describe('importSource', () => {
  it('writes one import statement and refuses anything that is not a module name', () => {
    expect(importSource(['numpy', 'scipy.linalg'])).toBe('import numpy, scipy.linalg');
    let thrown: unknown;
    try {
      importSource(['os; import shutil; shutil.rmtree("/")']);
    } catch (error) {
      thrown = error;
    }
    expect(isCondenseError(thrown, 'INVALID_INPUT')).toBe(true);
  });
});
