import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { smallTmpfs } from '../../../test/support/small-tmpfs';
import { writeFileAtomic } from './atomic-write';
import { commitFiles, JOURNAL, recoverFolder } from './commit-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-commit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A pid that surely belongs to no process any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('commitFiles', () => {
  it('replaces every file and leaves no journal or temporary file', async () => {
    await writeFile(join(dir, 'a.lock'), 'old a');
    await commitFiles(dir, [
      { name: 'a.lock', data: 'new a' },
      { name: 'b.yml', data: 'new b', mode: 0o600 },
    ]);
    expect(await readFile(join(dir, 'a.lock'), 'utf8')).toBe('new a');
    expect(await readFile(join(dir, 'b.yml'), 'utf8')).toBe('new b');
    expect((await readdir(dir)).sort()).toEqual(['a.lock', 'b.yml']);
  });

  it('finishes a commit that crashed after its journal (the new state wins)', async () => {
    await writeFile(join(dir, 'a.lock'), 'old a');
    await writeFile(join(dir, 'b.yml'), 'old b');
    const pid = deadPid();
    // As left by a process killed after renaming a.lock but before b.yml.
    await writeFile(join(dir, 'a.lock'), 'new a');
    await writeFile(join(dir, `.b.yml.${pid}.0123456789ab.tmp`), 'new b');
    await writeFile(
      join(dir, JOURNAL),
      JSON.stringify({
        version: 1,
        files: [
          ['a.lock', `.a.lock.${pid}.ba9876543210.tmp`],
          ['b.yml', `.b.yml.${pid}.0123456789ab.tmp`],
        ],
      }),
    );
    await recoverFolder(dir);
    expect(await readFile(join(dir, 'a.lock'), 'utf8')).toBe('new a');
    expect(await readFile(join(dir, 'b.yml'), 'utf8')).toBe('new b');
    expect((await readdir(dir)).sort()).toEqual(['a.lock', 'b.yml']);
  });

  it('drops a commit that crashed before its journal (the old state stays), keeping live writers', async () => {
    await writeFile(join(dir, 'a.lock'), 'old a');
    await writeFile(join(dir, `.a.lock.${deadPid()}.0123456789ab.tmp`), 'half');
    const live = `.b.yml.${process.pid}.0123456789ab.tmp`;
    await writeFile(join(dir, live), 'in flight');
    await recoverFolder(dir);
    expect(await readFile(join(dir, 'a.lock'), 'utf8')).toBe('old a');
    expect((await readdir(dir)).sort()).toEqual([live, 'a.lock']);
  });
});

// A real full disk: a 64 KiB tmpfs.
const tmpfs = smallTmpfs('64k');
afterAll(() => tmpfs.unmount());

describe.skipIf(!tmpfs.mountPoint)('a full disk', () => {
  it('says which folder is full and leaves the old files and no temporary file', async () => {
    const mountPoint = tmpfs.mountPoint!;
    const project = join(mountPoint, 'project');
    mkdirSync(project);
    await writeFile(join(project, 'conda-lock.yml'), 'old lock');
    const big = Buffer.alloc(200 * 1024, 0x61);
    await expect(writeFileAtomic(join(project, 'conda-lock.yml'), big)).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(
        new RegExp(`the disk holding ${project} is full \\(ENOSPC`),
      ) as unknown,
    });
    await expect(
      commitFiles(project, [
        { name: 'conda-linux-64.lock', data: 'small' },
        { name: 'conda-lock.yml', data: big },
      ]),
    ).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect(await readdir(project)).toEqual(['conda-lock.yml']);
    expect(await readFile(join(project, 'conda-lock.yml'), 'utf8')).toBe('old lock');
  });
});
