import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { smallTmpfs } from '../../../test/support/small-tmpfs';
import { StreamingAtomicFile } from './streaming-atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-streaming-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Chunks of a few KB up to 2 MB, as a download delivers them, with their bytes in a known order. */
function chunks(total: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, n = 0; at < total; n++) {
    const size = Math.min(total - at, [3000, 65536, 2 * 1024 * 1024, 17][n % 4]!);
    out.push(Buffer.from(Array.from({ length: size }, (_, i) => (at + i) % 251)));
    at += size;
  }
  return out;
}

describe('StreamingAtomicFile', () => {
  it('writes the chunks in order while they arrive, and shows the file only once committed', async () => {
    const target = join(dir, 'repodata.json');
    await writeFile(target, 'the old copy');
    const file = new StreamingAtomicFile(target, 0o600);
    const parts = chunks(5 * 1024 * 1024);
    for (const part of parts) file.write(part);
    await file.written();
    // Written but not committed: the old copy still stands beside one temporary sibling.
    expect(await readFile(target, 'utf8')).toBe('the old copy');
    expect((await readdir(dir)).sort()).toEqual([
      expect.stringMatching(/^\.repodata\.json\.\d+\.[0-9a-f]{12}\.tmp$/) as unknown,
      'repodata.json',
    ]);
    await file.commit();
    expect((await readFile(target)).equals(Buffer.concat(parts))).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['repodata.json']);
  });

  it('discards what it wrote, leaving the old file alone', async () => {
    const target = join(dir, 'repodata.json');
    await writeFile(target, 'the old copy');
    const file = new StreamingAtomicFile(target);
    for (const part of chunks(3 * 1024 * 1024)) file.write(part);
    await file.discard();
    expect(await readdir(dir)).toEqual(['repodata.json']);
    expect(await readFile(target, 'utf8')).toBe('the old copy');
  });

  it('reports a folder it cannot write in at commit, and leaves nothing behind', async () => {
    const file = new StreamingAtomicFile(join(dir, 'gone', 'repodata.json'));
    for (const part of chunks(2 * 1024 * 1024)) file.write(part);
    await expect(file.commit()).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

// A real full disk: a 256 KiB tmpfs.
const tmpfs = smallTmpfs('256k');
afterAll(() => tmpfs.unmount());

describe.skipIf(!tmpfs.mountPoint)('StreamingAtomicFile on a full disk', () => {
  it('says the disk is full at commit, keeps the old file and removes its temporary file', async () => {
    const mountPoint = tmpfs.mountPoint!;
    const target = join(mountPoint, 'repodata.json');
    await writeFile(target, 'the old copy');
    const file = new StreamingAtomicFile(target);
    for (const part of chunks(3 * 1024 * 1024)) file.write(part);
    await expect(file.commit()).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(
        new RegExp(`the disk holding ${mountPoint} is full \\(ENOSPC`),
      ) as unknown,
    });
    expect(await readdir(mountPoint)).toEqual(['repodata.json']);
    expect(await readFile(target, 'utf8')).toBe('the old copy');
  });
});
