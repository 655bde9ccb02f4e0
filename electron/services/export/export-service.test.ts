import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultRecipe, type Recipe } from '../../../shared/recipe/model';
import { exportProject } from './export-service';

let work: string;
let cacheRoot: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'condense-export-'));
  cacheRoot = join(work, 'cache');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const recipe: Recipe = { ...defaultRecipe(), package: { path: 'svc', noBuildIsolation: true } };

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  const all = {
    'environment.yml': 'name: x\ndependencies:\n  - python\n',
    'conda-linux-64.lock': '# platform: linux-64\n@EXPLICIT\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const PACKAGE = {
  'svc/pyproject.toml': '[project]\nname = "svc"\n',
  'svc/README.md': 'the package readme\n',
  'svc/svc/__init__.py': '',
  'svc/svc/main.py': 'print("hi")\n',
  'svc/svc/__pycache__/main.cpython-311.pyc': 'bytecode',
  'svc/.env': 'TOKEN=secret',
  'notes/private.txt': 'not copied by the Dockerfile',
};

describe('exportProject', () => {
  it("copies what the Dockerfile copies from the context: the package's sources minus .dockerignore", async () => {
    const dir = await project('pkg', PACKAGE);
    await writeFile(join(dir, 'svc/svc/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink('main.py', join(dir, 'svc/svc/alias.py'));
    const out = join(work, 'pkg-out');
    const result = await exportProject({ projectDir: dir, dir: out, recipe, cacheRoot });
    expect(result.files.filter((f) => f.startsWith('svc/')).sort()).toEqual([
      'svc/README.md',
      'svc/pyproject.toml',
      'svc/svc/__init__.py',
      'svc/svc/alias.py',
      'svc/svc/main.py',
      'svc/svc/run.sh',
    ]);
    expect(result.files).toEqual(
      expect.arrayContaining([
        'Dockerfile',
        'Dockerfile.classic',
        '.dockerignore',
        'README.md',
        'conda-linux-64.lock',
      ]),
    );
    expect(await readFile(join(out, 'svc/svc/main.py'), 'utf8')).toBe('print("hi")\n');
    expect((await lstat(join(out, 'svc/svc/run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(out, 'svc/svc/alias.py'))).toBe('main.py');
    for (const absent of ['svc/.env', 'svc/svc/__pycache__', 'notes']) {
      await expect(lstat(join(out, absent))).rejects.toThrow(/ENOENT/);
    }
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('- `svc/` (6 files)');
    expect(readme).toContain('DOCKER_BUILDKIT=0 docker build -f Dockerfile.classic');
    expect(await readFile(join(out, 'Dockerfile.classic'), 'utf8')).not.toContain('--mount');
  });

  it('refuses a symlink that leads out of the project, before writing anything', async () => {
    const dir = await project('escape', PACKAGE);
    await writeFile(join(work, 'outside.txt'), 'elsewhere');
    await symlink('../../../outside.txt', join(dir, 'svc/svc/data.txt'));
    const out = join(work, 'escape-out');
    await expect(exportProject({ projectDir: dir, dir: out, recipe, cacheRoot })).rejects.toThrow(
      /svc\/svc\/data\.txt is a symlink to \.\.\/\.\.\/\.\.\/outside\.txt, outside the project/,
    );
    await expect(lstat(join(out, 'Dockerfile'))).rejects.toThrow(/ENOENT/);
    await rm(join(dir, 'svc/svc/data.txt'));
    await symlink('/etc/passwd', join(dir, 'svc/svc/data.txt'));
    await expect(exportProject({ projectDir: dir, dir: out, recipe, cacheRoot })).rejects.toThrow(
      /symlink to \/etc\/passwd, outside the project/,
    );
  });

  it('exports into a folder inside the project without copying the folder into itself', async () => {
    const dir = await project('root-pkg', {
      'pyproject.toml': '[project]\nname = "svc"\n',
      'README.md': 'the package readme\n',
      'svc/__init__.py': '',
    });
    const rootRecipe: Recipe = { ...recipe, package: { path: '.', noBuildIsolation: true } };
    const out = join(dir, 'image');
    const first = await exportProject({ projectDir: dir, dir: out, recipe: rootRecipe, cacheRoot });
    expect(first.files.some((f) => f.startsWith('image/'))).toBe(false);
    // The package's README keeps its name and content; the export's README goes beside it.
    expect(await readFile(join(out, 'README.md'), 'utf8')).toBe('the package readme\n');
    expect(await readFile(join(out, 'README.condense.md'), 'utf8')).toContain('container image');
    const again = await exportProject({
      projectDir: dir,
      dir: out,
      recipe: rootRecipe,
      force: true,
    });
    expect(again.files.sort()).toEqual(first.files.sort());
  });

  it('refuses to overwrite copied sources unless forced', async () => {
    const dir = await project('taken', PACKAGE);
    const out = join(work, 'taken-out');
    await mkdir(join(out, 'svc/svc'), { recursive: true });
    await writeFile(join(out, 'svc/svc/main.py'), 'mine');
    await expect(exportProject({ projectDir: dir, dir: out, recipe, cacheRoot })).rejects.toThrow(
      /already has svc\/svc\/main\.py/,
    );
    expect(await readFile(join(out, 'svc/svc/main.py'), 'utf8')).toBe('mine');
    await exportProject({ projectDir: dir, dir: out, recipe, cacheRoot, force: true });
    expect(await readFile(join(out, 'svc/svc/main.py'), 'utf8')).toBe('print("hi")\n');
  });
});
