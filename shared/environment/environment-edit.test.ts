import { describe, expect, it } from 'vitest';

import { editEnvironmentFile, pythonDependency } from './environment-edit';
import { parseEnvironmentFile } from './environment-file';
import { SAMPLES } from './testing/samples';

const edit = (text: string, ...edits: Parameters<typeof editEnvironmentFile>[1]) =>
  editEnvironmentFile(parseEnvironmentFile(text), edits);

/** Lines of `after` that are not in `before` (and the reverse), as a small line diff. */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe.each(Object.entries(SAMPLES))('edits of %s', (_name, text) => {
  const file = parseEnvironmentFile(text);

  it('a no-op edit gives the same bytes', () => {
    const deps = file.spec.dependencies;
    const same = editEnvironmentFile(file, [
      { channels: file.spec.channels },
      ...(file.spec.platforms.length ? [{ platforms: file.spec.platforms }] : []),
      ...(deps[0] ? [{ setDependency: deps[0].raw }] : []),
      ...(file.spec.name ? [{ name: file.spec.name }] : []),
    ]);
    expect(same).toBe(text);
  });

  it('adding and removing a package changes only its own line', () => {
    const added = edit(text, { setDependency: 'scikit-learn>=1.4' });
    const diff = changedLines(text, added);
    expect(diff.added.filter((l) => l !== '')).toEqual([
      expect.stringContaining('scikit-learn>=1.4'),
    ]);
    // A flow collection is one line: that line changes, nothing else.
    expect(diff.removed).toHaveLength(text.startsWith('{') ? 1 : 0);
    expect(parseEnvironmentFile(added).spec.dependencies.at(-1)?.name).toBe('scikit-learn');
    // Back to the same bytes (a last line without a newline gains one).
    const removed = edit(added, { removeDependency: 'scikit-learn' });
    expect(removed.replace(/\n$/, '')).toBe(text.replace(/\n$/, ''));
  });

  it('round-trips: parse, edit, parse keeps the meaning', () => {
    const edited = edit(
      text,
      { setDependency: 'scikit-learn' },
      { removeDependency: 'scikit-learn' },
    );
    const again = parseEnvironmentFile(edited).spec;
    expect({ ...again, warnings: [] }).toEqual({ ...file.spec, warnings: [] });
  });
});

describe('targeted edits', () => {
  it('replaces a pin in place, keeping its selector comment and quotes', () => {
    const text = edit(SAMPLES.condaLockSelectors!, { setDependency: 'gcc_linux-64 >=12' });
    expect(text).toContain('  - gcc_linux-64 >=12  # [linux64]\n');
    const quoted = edit(SAMPLES.anchors!, { setDependency: 'numpy>=2' });
    expect(quoted).toContain("    - 'numpy>=2'\n");
    expect(quoted).toContain('x-notes: *chan');
  });

  it('never folds long lines', () => {
    const text = edit(SAMPLES.pangeoLike!, { setDependency: 'xarray>=2024.1' });
    expect(text).toContain('scheduler defaults in ways our notebooks are not ready for yet\n');
    expect(text).toContain('#egg=pangeo-notebook-extras\n');
  });

  it('reorders channels keeping each line and its comment', () => {
    const text = edit(SAMPLES.pangeoLike!, { channels: ['nodefaults', 'conda-forge', 'bioconda'] });
    expect(text).toContain(
      'channels:\n  - nodefaults # never mix in defaults\n  - conda-forge\n  - bioconda\ndependencies:',
    );
  });

  it('edits flow collections as flow collections', () => {
    const text = edit(
      SAMPLES.flow!,
      { setDependency: 'scipy' },
      { channels: ['conda-forge', 'bioconda'] },
    );
    expect(text).toBe(
      '{name: flowy, channels: [conda-forge, bioconda], dependencies: [python=3.11, numpy, scipy]}\n',
    );
  });

  it('uses the file own indentation for new lines', () => {
    expect(edit(SAMPLES.repo2dockerLike!, { setDependency: 'scipy' })).toContain(
      '- numpy\n- pip\n- scipy\n- pip:\n',
    );
    expect(edit(SAMPLES.anchors!, { setDependency: 'pandas' })).toContain(
      '    - "scipy"\n    - pandas\n',
    );
  });

  it('adds keys that are missing', () => {
    const text = edit('name: x\n', { setDependency: 'python=3.11' }, { channels: ['conda-forge'] });
    expect(parseEnvironmentFile(text).spec).toMatchObject({
      channels: ['conda-forge'],
      dependencies: [{ name: 'python' }],
    });
    expect(edit('dependencies:\n', { setDependency: 'numpy' })).toBe('dependencies:\n  - numpy\n');
  });

  it('refuses to remove what is not there', () => {
    expect(() => edit(SAMPLES.flow!, { removeDependency: 'pandas' })).toThrow(
      /no dependency named "pandas"/,
    );
  });
});

describe('the Python field', () => {
  it.each([
    ['3.11', 'python=3.11', '3.11.*'],
    ['3.11.4', 'python=3.11.4', '3.11.4.*'],
    ['>=3.10,<3.13', 'python>=3.10,<3.13', '>=3.10,<3.13'],
    ['3.11.*', 'python 3.11.*', '3.11.*'],
  ])('%s is written as %s and means %s, as for conda', (input, line, version) => {
    expect(pythonDependency(input)).toBe(line);
    const text = edit('dependencies:\n  - python=3.10\n', {
      setDependency: pythonDependency(input),
    });
    expect(parseEnvironmentFile(text).spec.dependencies[0]?.version).toBe(version);
  });
});
