import {
  appendFile,
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isCondenseError } from '../../../shared/api/errors';
import { readEnvironmentFile, updateEnvironmentFile } from './environment-store';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-env-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const TEXT = `# mine
name: svc
channels:
  - conda-forge
dependencies:
  - python=3.11  # runtime
  - numpy
`;

async function project(text = TEXT): Promise<string> {
  const dir = join(root, `p${++counter}`);
  await mkdir(dir);
  await writeFile(join(dir, 'environment.yml'), text);
  return dir;
}

describe('environment.yml saves', () => {
  it('a no-op edit writes nothing', async () => {
    const dir = await project();
    const before = await stat(join(dir, 'environment.yml'));
    const result = await updateEnvironmentFile(dir, [
      { setDependency: 'numpy' },
      { channels: ['conda-forge'] },
    ]);
    expect(result.changed).toBe(false);
    const after = await stat(join(dir, 'environment.yml'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('keeps the mode of a 0600 file and writes through a symlink', async () => {
    const dir = await project();
    const real = join(root, `real-${counter}.yml`);
    await writeFile(real, TEXT);
    await chmod(real, 0o600);
    await rm(join(dir, 'environment.yml'));
    await symlink(real, join(dir, 'environment.yml'));
    const result = await updateEnvironmentFile(dir, [{ setDependency: 'scipy' }]);
    expect(result.changed).toBe(true);
    expect((await lstat(join(dir, 'environment.yml'))).isSymbolicLink()).toBe(true);
    expect((await stat(real)).mode & 0o777).toBe(0o600);
    expect(await readFile(real, 'utf8')).toBe(TEXT + '  - scipy\n');
    // No temporary file is left next to the target or the link.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a stale baseRevision and accepts the current one', async () => {
    const dir = await project();
    const { revision } = await readEnvironmentFile(dir);
    await appendFile(join(dir, 'environment.yml'), '  - pandas\n');
    const error = await updateEnvironmentFile(dir, [{ setDependency: 'scipy' }], revision).catch(
      (e: unknown) => e,
    );
    expect(isCondenseError(error, 'CONFLICT')).toBe(true);
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).toBe(TEXT + '  - pandas\n');
    const current = await readEnvironmentFile(dir);
    const saved = await updateEnvironmentFile(dir, [{ setDependency: 'scipy' }], current.revision);
    expect(saved.file.spec.dependencies.map((d) => d.name)).toEqual([
      'python',
      'numpy',
      'pandas',
      'scipy',
    ]);
  });

  it('never loses lines appended by hand while the app edits', async () => {
    const dir = await project();
    const path = join(dir, 'environment.yml');
    const handLines = Array.from({ length: 60 }, (_, i) => `  - hand${i}`);
    const appEdits = Array.from({ length: 30 }, (_, i) => `app${i}`);
    const appending = (async () => {
      for (const line of handLines) {
        await appendFile(path, `${line}\n`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const editing = (async () => {
      for (const name of appEdits) await updateEnvironmentFile(dir, [{ setDependency: name }]);
    })();
    await Promise.all([appending, editing]);
    const names = (await readEnvironmentFile(dir)).file.spec.dependencies.map((d) => d.name);
    for (const line of handLines) expect(names).toContain(line.slice(4));
    for (const name of appEdits) expect(names).toContain(name);
  });
});
