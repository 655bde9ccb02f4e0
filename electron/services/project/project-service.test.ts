import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { asUnprivileged, NOBODY } from '../../../test/support/unprivileged';
import { writeFileExclusive } from '../fs/atomic-write';
import { userConfigDir } from './config-dir';
import { createProjectHandlers } from './handlers';
import { RECENT_FILE, RECENT_LIMIT } from './recent-projects';

let root: string;
let configDir: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-project-'));
  configDir = join(root, 'config');
  home = join(root, 'home');
  await mkdir(home);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('project:create', () => {
  it('writes environment.yml and condense.yml skeletons and records the project', async () => {
    const h = createProjectHandlers({ configDir, home });
    const dir = join(root, 'churn model');
    const info = await h['project:create']({
      dir,
      channels: ['http://127.0.0.1:8080/fixture', 'conda-forge'],
      python: '3.12',
    });
    expect(info).toEqual({
      dir,
      name: 'churn model',
      created: ['environment.yml', 'condense.yml'],
    });
    const envText = await readFile(join(dir, 'environment.yml'), 'utf8');
    expect(envText.startsWith('# ')).toBe(true);
    expect(parse(envText)).toEqual({
      name: 'churn-model',
      channels: ['http://127.0.0.1:8080/fixture', 'conda-forge'],
      dependencies: ['python=3.12'],
    });
    expect(parse(await readFile(join(dir, 'condense.yml'), 'utf8'))).toEqual({ version: 1 });
    const recent = await h['project:recent']({});
    expect(recent).toMatchObject([{ dir, name: 'churn model', missing: false }]);
    const stored = JSON.parse(await readFile(join(configDir, RECENT_FILE), 'utf8')) as unknown;
    expect(stored).toMatchObject({ version: 1, projects: [{ dir }] });
  });

  it('never overwrites an existing environment.yml and leaves no temporary files', async () => {
    const h = createProjectHandlers({ configDir, home });
    const dir = join(root, 'existing');
    await mkdir(dir);
    await writeFile(join(dir, 'environment.yml'), '# mine\nname: mine\n');
    await expect(h['project:create']({ dir })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringContaining('open it as a project') as unknown,
    });
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).toBe('# mine\nname: mine\n');
    expect(await readdir(dir)).toEqual(['environment.yml']);
    expect(await h['project:recent']({})).toEqual([]);
  });

  it('keeps an existing condense.yml when creating', async () => {
    const h = createProjectHandlers({ configDir, home });
    const dir = join(root, 'with-recipe');
    await mkdir(dir);
    await writeFile(join(dir, 'condense.yml'), 'version: 1\nentrypoint: [app]\n');
    const info = await h['project:create']({ dir });
    expect(info.created).toEqual(['environment.yml']);
    expect(await readFile(join(dir, 'condense.yml'), 'utf8')).toContain('entrypoint: [app]');
  });

  it('expands ~/ and refuses relative paths with a hint', async () => {
    const h = createProjectHandlers({ configDir, home });
    const info = await h['project:create']({ dir: '~/projects/demo/' });
    expect(info.dir).toBe(join(home, 'projects', 'demo'));
    await expect(h['project:create']({ dir: 'projects/demo' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('relative path') as unknown,
    });
  });

  it.each([
    [{ name: 'has space' }, 'name'],
    [{ channels: ['conda forge'] }, 'channels'],
    [{ channels: [] }, 'channels'],
    [{ python: '3.11; rm -rf /' }, 'python'],
    [{ python: 2 }, 'python'],
  ])('rejects bad input %j', async (extra, field) => {
    const h = createProjectHandlers({ configDir, home });
    const request = { dir: join(root, 'bad'), ...extra } as never;
    await expect(h['project:create'](request)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field },
    });
  });

  // root writes anywhere: the attempt runs as an unprivileged user, so it also runs in CI as root.
  it('says when the folder is not writable', async () => {
    const h = createProjectHandlers({ configDir, home });
    const locked = join(root, 'locked');
    await mkdir(locked);
    await chmod(root, 0o755); // reachable by that user; only `locked` is closed to it
    await mkdir(configDir);
    if (process.geteuid?.() === 0) await chown(configDir, NOBODY, NOBODY);
    await chmod(locked, 0o555);
    await expect(
      asUnprivileged(() => h['project:create']({ dir: join(locked, 'p') })),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // The same folder, writable: the error was the permission, not the path.
    await chmod(locked, 0o777);
    await expect(
      asUnprivileged(() => h['project:create']({ dir: join(locked, 'p') })),
    ).resolves.toMatchObject({ dir: join(locked, 'p') });
  });

  it('says when the path is a file', async () => {
    const h = createProjectHandlers({ configDir, home });
    await writeFile(join(root, 'plain'), 'x');
    await expect(h['project:create']({ dir: join(root, 'plain') })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('project:open', () => {
  it('opens a folder with environment.yml and adds only the missing condense.yml', async () => {
    const h = createProjectHandlers({ configDir, home });
    const dir = join(root, 'analysis');
    await mkdir(dir);
    await writeFile(join(dir, 'environment.yml'), 'name: a\n');
    expect(await h['project:open']({ dir })).toEqual({
      dir,
      name: 'analysis',
      created: ['condense.yml'],
    });
    expect((await h['project:open']({ dir })).created).toEqual([]);
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).toBe('name: a\n');
  });

  it('explains a missing folder and a folder without environment.yml', async () => {
    const h = createProjectHandlers({ configDir, home });
    await expect(h['project:open']({ dir: join(root, 'nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no folder') as unknown,
    });
    await mkdir(join(root, 'empty'));
    await expect(h['project:open']({ dir: join(root, 'empty') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('create a project there') as unknown,
    });
  });
});

describe('recent projects', () => {
  it('orders by last use, dedupes, caps the list, flags missing folders and forgets', async () => {
    const h = createProjectHandlers({ configDir, home });
    const dirs: string[] = [];
    for (let i = 0; i < RECENT_LIMIT + 2; i++) {
      const info = await h['project:create']({ dir: join(root, `p${i}`) });
      dirs.push(info.dir);
    }
    await h['project:open']({ dir: dirs[3]! });
    await rm(dirs[5]!, { recursive: true });
    const recent = await h['project:recent']({});
    expect(recent).toHaveLength(RECENT_LIMIT);
    expect(recent[0]!.dir).toBe(dirs[3]);
    expect(recent[1]!.dir).toBe(dirs.at(-1));
    expect(recent.filter((r) => r.dir === dirs[3])).toHaveLength(1);
    expect(recent.find((r) => r.dir === dirs[5])!.missing).toBe(true);
    expect(recent.find((r) => r.dir === dirs[6])!.missing).toBe(false);
    expect(await h['project:forget']({ dir: dirs[3]! })).toEqual({ removed: true });
    expect(await h['project:forget']({ dir: dirs[3]! })).toEqual({ removed: false });
    expect((await h['project:recent']({}))[0]!.dir).toBe(dirs.at(-1));
  });

  it('survives a damaged recent file and concurrent opens', async () => {
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, RECENT_FILE), '{not json');
    const h = createProjectHandlers({ configDir, home });
    expect(await h['project:recent']({})).toEqual([]);
    await Promise.all([0, 1, 2, 3].map((i) => h['project:create']({ dir: join(root, `c${i}`) })));
    expect(await h['project:recent']({})).toHaveLength(4);
  });
});

describe('helpers', () => {
  it('writeFileExclusive refuses to replace a file', async () => {
    const path = join(root, 'f.txt');
    expect(await writeFileExclusive(path, 'one')).toBe(true);
    expect(await writeFileExclusive(path, 'two')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('one');
  });

  it('userConfigDir honours the override and platform conventions', () => {
    expect(userConfigDir({ CONDENSE_CONFIG_DIR: '/tmp/x' }, 'linux', '/h')).toBe('/tmp/x');
    expect(userConfigDir({}, 'linux', '/h')).toBe('/h/.config/condense');
    expect(userConfigDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/h')).toBe('/xdg/condense');
    expect(userConfigDir({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/h')).toBe('/h/.config/condense');
    expect(userConfigDir({}, 'darwin', '/h')).toBe('/h/Library/Application Support/Condense');
  });
});
