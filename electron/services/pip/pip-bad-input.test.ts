// Issue 10's bad input that needs the real engine and a served index: a wheel whose bytes changed on
// the index after locking (hash mismatch at build time) and an index that accepts connections but
// never answers. Each ends in one line naming the package or the index, and nothing is half-written.
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IndexServer } from '../../../fixtures/pypi/index-server';
import { startIndexServer } from '../../../fixtures/pypi/index-server';
import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import type { ServedChannel } from '../../../test/support/channels';
import { imageExists } from '../../../test/support/docker';
import type { ServedIndexes } from '../../../test/support/pypi';
import {
  PYPI_INDEX_DIR,
  startPipFixture,
  stopPipFixture,
  writePipProject,
} from '../../../test/support/pypi';
import { buildProject } from '../build/build-service';
import { RepodataCache } from '../channels/repodata-cache';
import { connectEngine } from '../docker/engine';
import { lockProject } from '../lock/lock-service';

let docker: Docker;
let channel: ServedChannel | undefined;
let indexes: ServedIndexes | undefined;
let work: string;
const REPO = 'condense-test/pip-bad-input';
const job = { signal: new AbortController().signal, emit: () => undefined };

async function lock(dir: string) {
  return lockProject(
    { projectDir: dir, platforms: ['linux-64'] },
    {},
    { cache: new RepodataCache({ dir: join(work, 'repodata') }), engine: connectEngine() },
  );
}

beforeAll(async () => {
  ({ docker, channel, indexes, work } = await startPipFixture('condense-pip-bad-'));
});

afterAll(() => stopPipFixture({ docker, channel, indexes, work }, REPO));

const ready = () => channel !== undefined && indexes !== undefined;

describe('pip bad input against the real engine', () => {
  it('a wheel that changed on the index after locking fails the build in one line naming the package; no tag', async () => {
    if (!ready()) return;
    // A copy of the public index whose wheel is replaced after the lock, as a re-published file.
    const indexDir = join(work, 'index-copy');
    await cp(join(PYPI_INDEX_DIR, 'public'), indexDir, { recursive: true });
    const copy: IndexServer = await startIndexServer({ root: indexDir });
    try {
      const dir = join(work, 'mismatch');
      await writePipProject(dir, channel!.url, { ...indexes!, public: copy }, ['pinme==1.0']);
      await lock(dir);
      const locked = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
      const pinme = locked.packages.find((p) => p.manager === 'pip' && p.name === 'pinme')!;
      expect(pinme.url).toMatch(/pinme-1\.0-py3-none-any\.whl$/);
      await writeFile(
        join(indexDir, 'files', 'pinme-1.0-py3-none-any.whl'),
        await readFile(join(indexDir, 'files', 'pinme-1.1-py3-none-any.whl')),
      );
      const failure = await buildProject(
        { engine: () => connectEngine(), cacheRoot: join(work, 'cache') },
        { projectDir: dir, repository: REPO },
        job,
      ).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.message.split('\n')[0]).toMatch(
        new RegExp(
          `pip package pinme: the file at http://127\\.0\\.0\\.1:\\d+/files/pinme-1\\.0-py3-none-any\\.whl does not match the lock \\(sha256 ${pinme.sha256!.slice(0, 12)}`,
        ),
      );
      expect(await imageExists(docker, `${REPO}:default`)).toBe(false);
    } finally {
      await copy.close();
    }
  }, 900_000);

  it("an index that hangs: the lock ends at pip's timeout naming the index, and writes no lockfile", async () => {
    if (!ready()) return;
    const hanging = await startIndexServer({
      root: join(PYPI_INDEX_DIR, 'public'),
      hang: true,
    });
    try {
      const dir = join(work, 'hang');
      await writePipProject(dir, channel!.url, { ...indexes!, public: hanging }, ['pinme']);
      // The index never answers, so only pip's own timeout can end the lock before this test's
      // timeout: the rejection proves it, without a wall-clock bound a loaded machine could miss.
      const started = performance.now();
      await expect(lock(dir)).rejects.toThrow(
        new RegExp(
          `^the pip index ${hanging.url.replace('http://', '').replace(/\./g, '\\.')} accepted the connection but did not answer within pip's timeout`,
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`hanging index: lock failed after ${seconds.toFixed(1)} s`);
      expect((await readdir(dir)).filter((f) => f.includes('lock'))).toEqual([]);
    } finally {
      await hanging.close();
    }
  }, 300_000);
});
