import { describe, expect, it } from 'vitest';

import { isCondenseError } from '../api/errors';
import { importSource, lockImportModules, topLevelModules } from './smoke';

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

describe('lockImportModules', () => {
  const pkg = (name: string, paths: string[]) => ({ name, files: paths.map((path) => ({ path })) });

  it('imports the libraries of every package, not packaging tools, tests or private modules', () => {
    const result = lockImportModules([
      pkg('python', [
        'bin/python3.11',
        'lib/python3.11/os.py',
        'lib/python3.11/site-packages/README.txt',
      ]),
      pkg('numpy', [
        'lib/python3.11/site-packages/numpy/__init__.py',
        'lib/python3.11/site-packages/numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so',
      ]),
      pkg('click', ['lib/python3.11/site-packages/click/__init__.py']),
      pkg('pip', ['lib/python3.11/site-packages/pip/__init__.py']),
      pkg('setuptools', [
        'lib/python3.11/site-packages/setuptools/__init__.py',
        'lib/python3.11/site-packages/pkg_resources/__init__.py',
        'lib/python3.11/site-packages/_distutils_hack/__init__.py',
      ]),
      pkg('badpkg', [
        'lib/python3.11/site-packages/tests/test_x.py',
        'lib/python3.11/site-packages/badpkg.py',
      ]),
    ]);
    expect(result).toEqual({ modules: ['badpkg', 'click', 'numpy'] });
  });

  it('says why nothing is imported, with or without python in the lock', () => {
    const onlyPython = lockImportModules([pkg('python', ['lib/python3.11/os.py'])]);
    expect(onlyPython.modules).toEqual([]);
    expect(onlyPython.reason).toMatch(/no locked package has importable Python modules/);
    const noPython = lockImportModules([pkg('libzlib', ['lib/libz.so.1'])]);
    expect(noPython.modules).toEqual([]);
    expect(noPython.reason).toMatch(/no Python in the lock/);
  });
});
