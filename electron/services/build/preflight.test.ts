import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultRecipe } from '../../../shared/recipe/model';
import { checkImageFiles, checkOwnPackage, LARGE_FILE_BYTES } from './preflight';

let root: string;
let project: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-preflight-'));
  project = join(root, 'project');
  await mkdir(join(project, 'config', 'nested'), { recursive: true });
  await writeFile(join(project, 'model.pkl'), 'x'.repeat(1000));
  await writeFile(join(project, 'config', 'a.yml'), 'a: 1\n');
  await writeFile(join(project, 'config', 'nested', 'b.yml'), 'b: 2\n');
  await symlink('model.pkl', join(project, 'current.pkl'));
  await writeFile(join(root, 'outside.txt'), 'secret');
  await symlink('../outside.txt', join(project, 'leak.txt'));
  await mkdir(join(project, 'sneaky'));
  await symlink('../../outside.txt', join(project, 'sneaky', 'inner.txt'));
  await symlink('missing.pkl', join(project, 'dangling.pkl'));
  // Sparse: 1 GiB + 1 byte of size without the disk space.
  await writeFile(join(project, 'huge.bin'), '');
  await truncate(join(project, 'huge.bin'), LARGE_FILE_BYTES + 1);
  await mkdir(join(project, 'pkg-ok'));
  await writeFile(join(project, 'pkg-ok', 'setup.py'), 'from setuptools import setup\nsetup()\n');
  await mkdir(join(project, 'pkg-bare', 'pkg'), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

const entry = (from: string) => ({ from, to: `/app/${from}` });

describe('files: before building', () => {
  it('sizes files and folders (walked, links inside the project followed)', async () => {
    const report = await checkImageFiles(project, [
      entry('model.pkl'),
      entry('config'),
      entry('current.pkl'),
    ]);
    expect(report.entries.map((e) => [e.from, e.bytes, e.files])).toEqual([
      ['model.pkl', 1000, 1],
      ['config', 10, 2],
      ['current.pkl', 1000, 1],
    ]);
    expect(report.bytes).toBe(2010);
    expect(report.warnings).toEqual([]);
  });

  it.each([
    ['absent.pkl', /absent\.pkl does not exist in .*: add it or remove the entry/],
    ['leak.txt', /leak\.txt leads out of the project \(to .*outside\.txt\)/],
    ['sneaky', /sneaky\/inner\.txt is a symlink leading out of the project/],
    ['dangling.pkl', /dangling\.pkl is a symlink to a missing file/],
  ])('refuses %s with the reason', async (from, message) => {
    const error = await checkImageFiles(project, [entry('model.pkl'), entry(from)]).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toMatch(/^condense\.yml files\[1\]\.from: /);
    expect((error as Error).message).toMatch(message);
  });

  it('warns about files over 1 GiB with their size', async () => {
    const report = await checkImageFiles(project, [entry('huge.bin')]);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^huge\.bin is 1(\.00)? GiB: it is copied into every image/),
    ]);
  });
});

describe('the own package before building', () => {
  it('passes a folder with setup.py or pyproject.toml and refuses one with neither', async () => {
    const recipe = (path: string) => ({
      ...defaultRecipe(),
      package: { path, noBuildIsolation: true },
    });
    await expect(checkOwnPackage(project, recipe('pkg-ok'))).resolves.toBeUndefined();
    await expect(checkOwnPackage(project, defaultRecipe())).resolves.toBeUndefined();
    await expect(checkOwnPackage(project, recipe('pkg-bare'))).rejects.toThrow(
      /pkg-bare has neither pyproject\.toml nor setup\.py, so pip cannot install it: add a pyproject\.toml/,
    );
    await expect(checkOwnPackage(project, recipe('nowhere'))).rejects.toThrow(
      /nowhere is not a folder/,
    );
  });
});
