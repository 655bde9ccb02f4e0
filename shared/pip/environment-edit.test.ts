import { describe, expect, it } from 'vitest';

import { editEnvironmentFile } from '../environment/environment-edit';
import { parseEnvironmentFile } from '../environment/environment-file';

const TEXT = `name: app
channels:
  - conda-forge
dependencies:
  - python=3.11  # the runtime
  - pip
  - pip:
      - --extra-index-url https://\${U}:\${T}@private.example/simple
      - requests>=2  # HTTP
      - PyYAML
`;

describe('pip edits of environment.yml', () => {
  it('replaces by normalized name, adds at the end, keeps comments and index lines', () => {
    const file = parseEnvironmentFile(TEXT);
    const text = editEnvironmentFile(file, [
      { setPipRequirement: 'pyyaml==6.0' },
      { setPipRequirement: 'jinja2[i18n]' },
    ]);
    expect(parseEnvironmentFile(text).spec.pip).toEqual([
      '--extra-index-url https://${U}:${T}@private.example/simple',
      'requests>=2',
      'pyyaml==6.0',
      'jinja2[i18n]',
    ]);
    expect(text).toContain('# the runtime');
    expect(text).toContain('requests>=2  # HTTP');
  });

  it('removes a line, and the pip entry with the last one; refuses unknown names and bad lines', () => {
    let text = editEnvironmentFile(parseEnvironmentFile(TEXT), [
      { removePipRequirement: 'Requests' },
    ]);
    expect(parseEnvironmentFile(text).spec.pip).not.toContain('requests>=2');
    const bare = 'dependencies:\n  - python\n  - pip:\n      - tabulate\n';
    text = editEnvironmentFile(parseEnvironmentFile(bare), [{ removePipRequirement: 'tabulate' }]);
    expect(text).toBe('dependencies:\n  - python\n');
    expect(() =>
      editEnvironmentFile(parseEnvironmentFile(TEXT), [{ removePipRequirement: 'nope' }]),
    ).toThrow(/no pip requirement named "nope"/);
    expect(() =>
      editEnvironmentFile(parseEnvironmentFile(TEXT), [{ setPipRequirement: '-e .' }]),
    ).toThrow(/own-package field|package name/);
  });

  it('creates the pip list when there is none', () => {
    const text = editEnvironmentFile(parseEnvironmentFile('dependencies:\n  - python\n'), [
      { setPipRequirement: 'pinme' },
    ]);
    expect(parseEnvironmentFile(text).spec.pip).toEqual(['pinme']);
  });
});
