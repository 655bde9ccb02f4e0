import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeFileAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'condense-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces the content and leaves no temporary file', async () => {
    const target = join(dir, 'environment.yml');
    await writeFile(target, 'old');
    await writeFileAtomic(target, 'new: content\n');
    expect(await readFile(target, 'utf8')).toBe('new: content\n');
    expect(await readdir(dir)).toEqual(['environment.yml']);
  });

  it('keeps the old file when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.yml'), 'data')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
