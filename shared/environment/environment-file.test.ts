import { describe, expect, it } from 'vitest';

import { editEnvironmentFile } from './environment-edit';
import { EnvironmentFileError, parseEnvironmentFile } from './environment-file';

const TEXT = `# my service
name: svc
channels:
  - conda-forge # main channel
  - nodefaults
platforms: [linux-64, linux-aarch64]
dependencies:
  # runtime
  - python=3.11
  - numpy>=1.26 # keep BLAS flexible
  - pip
  - pip:
      - requests==2.32.0
`;

function errorOf(text: string): EnvironmentFileError {
  try {
    parseEnvironmentFile(text);
  } catch (error) {
    if (error instanceof EnvironmentFileError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('environment.yml', () => {
  it('reads name, channels, nodefaults, specs, pip and platforms', () => {
    const { spec } = parseEnvironmentFile(TEXT);
    expect(spec.name).toBe('svc');
    expect(spec.channels).toEqual(['conda-forge', 'nodefaults']);
    expect(spec.platforms).toEqual(['linux-64', 'linux-aarch64']);
    expect(spec.dependencies.map((d) => [d.name, d.version])).toEqual([
      ['python', '3.11.*'],
      ['numpy', '>=1.26'],
      ['pip', undefined],
    ]);
    expect(spec.pip).toEqual(['requests==2.32.0']);
  });

  it('edits keep comments and order', () => {
    const file = parseEnvironmentFile(TEXT);
    const text = editEnvironmentFile(file, [
      { setDependency: 'numpy>=2' },
      { setDependency: 'scipy' },
      { removeDependency: 'pip' },
    ]);
    expect(text).toContain('# my service');
    expect(text).toContain('- conda-forge # main channel');
    expect(text).toContain('# runtime');
    expect(text).toContain('numpy>=2');
    expect(text).not.toContain('numpy>=1.26');
    const { spec } = parseEnvironmentFile(text);
    expect(spec.dependencies.map((d) => d.name)).toEqual(['python', 'numpy', 'scipy']);
    expect(spec.pip).toEqual(['requests==2.32.0']);
    // scipy goes before the pip mapping
    expect(text.indexOf('scipy')).toBeLessThan(text.indexOf('- pip:'));
  });

  it('points at the bad character of a match spec', () => {
    const error = errorOf('name: x\ndependencies:\n  - python\n  - "num$py"\n');
    expect(error.message).toBe(
      'environment.yml line 4, column 9: invalid character "$" in package name "num$py"',
    );
    expect(error.details).toEqual({ line: 4, column: 9 });
  });

  it('reports invalid YAML with line and column', () => {
    const error = errorOf('name: x\ndependencies:\n  - python\n  - [numpy\n');
    expect(error.message).toMatch(/^environment.yml line \d+, column \d+: invalid YAML/);
    expect(error.details?.line).toBeGreaterThanOrEqual(4);
  });

  it('rejects wrong shapes clearly', () => {
    expect(errorOf('dependencies: numpy\n').message).toBe(
      'environment.yml line 1, column 15: "dependencies" must be a list',
    );
    expect(errorOf('').message).toMatch(/the file is empty/);
    expect(errorOf('dependencies:\n  - {conda: x}\n').message).toMatch(
      /line 2, column 5: only a "pip:"/,
    );
  });
});
