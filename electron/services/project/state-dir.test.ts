import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openBuild } from '../build/history-store';
import { saveTrace } from '../trace/trace-store';
import { projectStateDir } from './state-dir';

let root: string;
let project: string;
let elsewhere: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-state-dir-'));
  project = join(root, 'project');
  elsewhere = join(root, 'elsewhere');
  await mkdir(project);
  await mkdir(elsewhere);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('projectStateDir', () => {
  it('creates .condense and its folders inside the project', async () => {
    const dir = await projectStateDir(project, 'builds', '20261207-060000-abcdef');
    expect(dir).toBe(join(project, '.condense', 'builds', '20261207-060000-abcdef'));
    expect(await readdir(join(project, '.condense', 'builds'))).toEqual(['20261207-060000-abcdef']);
  });

  it('accepts a .condense linked to another folder of the same project', async () => {
    await mkdir(join(project, 'state'));
    await symlink(join(project, 'state'), join(project, '.condense'));
    await projectStateDir(project, 'traces');
    expect(await readdir(join(project, 'state'))).toEqual(['traces']);
  });

  it('refuses a .condense, or a folder in it, linked out of the project, creating nothing there', async () => {
    await symlink(elsewhere, join(project, '.condense'));
    await expect(projectStateDir(project, 'builds')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `${join(project, '.condense')} is a link out of the project (to ${elsewhere}): Condense writes build records and traces only inside the project folder. Replace the link with a folder.`,
    });
    await rm(join(project, '.condense'));
    await mkdir(join(project, '.condense'));
    await symlink(elsewhere, join(project, '.condense', 'traces'));
    await expect(projectStateDir(project, 'traces')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('keeps builds and traces from being written through such a link', async () => {
    await symlink(elsewhere, join(project, '.condense'));
    await expect(openBuild(project, '20261207-060000-abcdef')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      saveTrace(project, {
        variant: 'default',
        tracedAt: '2026-12-07T06:00:00.000Z',
        imageId: 'sha256:0',
      } as Parameters<typeof saveTrace>[1]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await readdir(elsewhere)).toEqual([]);
  });
});
