// File lists of locked wheels from their RECORD, against the served public index: cached under the
// locked sha256 only when the downloaded bytes have it.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LockedPackage } from '../../../shared/conda/lock-model';
import type { ServedIndexes } from '../../../test/support/pypi';
import { PYPI_INDEX_DIR, servePypiIndexes } from '../../../test/support/pypi';
import { installedPath, wheelFileList } from './wheel-files';

let indexes: ServedIndexes | undefined;
let work: string;
let sha256: string;
const WHEEL = 'pinme-1.0-py3-none-any.whl';

beforeAll(async () => {
  indexes = await servePypiIndexes();
  if (!indexes) return;
  work = await mkdtemp(join(tmpdir(), 'condense-wheel-files-'));
  sha256 = createHash('sha256')
    .update(await readFile(join(PYPI_INDEX_DIR, 'public', 'files', WHEEL)))
    .digest('hex');
});

afterAll(async () => {
  await indexes?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const pinme = (hash: string): LockedPackage => ({
  name: 'pinme',
  version: '1.0',
  build: '',
  buildNumber: 0,
  platform: 'linux-64',
  subdir: 'pypi',
  url: `${indexes!.public.url}/files/${WHEEL}`,
  md5: '',
  sha256: hash,
  depends: [],
  manager: 'pip',
  category: 'main',
  optional: false,
});

describe('wheelFileList', () => {
  it("lists the wheel's RECORD where pip installs it, then from the cache", async () => {
    if (!indexes) return;
    const options = { cacheRoot: join(work, 'ok'), pythonVersion: '3.11' };
    const first = await wheelFileList(pinme(sha256), options);
    expect(first.cached).toBe(false);
    expect(first.files.map((f) => f.path)).toContain(
      'lib/python3.11/site-packages/pinme/__init__.py',
    );
    expect((await wheelFileList(pinme(sha256), options)).cached).toBe(true);
    expect(installedPath('x-1.0.data/scripts/run', '3.11')).toBe('bin/run');
  });

  it('refuses bytes that do not have the locked sha256, naming the package, and caches nothing', async () => {
    if (!indexes) return;
    const cacheRoot = join(work, 'bad');
    const locked = 'f'.repeat(64);
    await expect(
      wheelFileList(pinme(locked), { cacheRoot, pythonVersion: '3.11' }),
    ).rejects.toThrow(
      new RegExp(
        `^pip package pinme: the file at http://127\\.0\\.0\\.1:\\d+/files/${WHEEL.replace(/\./g, '\\.')} does not match the lock \\(sha256 ffffffffffff… locked, ${sha256.slice(0, 12)}… served\\)`,
      ),
    );
    expect(await readdir(cacheRoot).catch(() => [])).toEqual([]);
  });
});
