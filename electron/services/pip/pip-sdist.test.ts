// `pip: {sdist: build}` in condense.yml: a package published only as source is locked (its sdist's
// URL and sha256) and built into a wheel in the builder stage, hash-checked like the wheels.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import type { ServedChannel } from '../../../test/support/channels';
import { runInImage } from '../../../test/support/docker';
import type { ServedIndexes } from '../../../test/support/pypi';
import { startPipFixture, stopPipFixture, writePipProject } from '../../../test/support/pypi';
import { buildProject } from '../build/build-service';
import { RepodataCache } from '../channels/repodata-cache';
import { connectEngine } from '../docker/engine';
import { lockProject } from '../lock/lock-service';

let docker: Docker;
let channel: ServedChannel | undefined;
let indexes: ServedIndexes | undefined;
let work: string;
const REPO = 'condense-test/pip-sdist';

beforeAll(async () => {
  ({ docker, channel, indexes, work } = await startPipFixture('condense-pip-sdist-'));
});

afterAll(() => stopPipFixture({ docker, channel, indexes, work }, REPO));

describe('pip: {sdist: build}', () => {
  it('locks an sdist-only package by its sdist and builds it in the builder stage', async () => {
    if (!channel || !indexes) return;
    const dir = join(work, 'project');
    await writePipProject(dir, channel.url, indexes, ['sdist-only']);
    await appendFile(join(dir, 'condense.yml'), 'pip:\n  sdist: build\n');
    await lockProject(
      { projectDir: dir, platforms: ['linux-64'] },
      {},
      { cache: new RepodataCache({ dir: join(work, 'repodata') }), engine: connectEngine() },
    );
    const lock = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    const sdist = lock.packages.find((p) => p.manager === 'pip' && p.name === 'sdist-only')!;
    expect(sdist.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/sdist[-_]only-0\.1\.tar\.gz$/);
    expect(sdist.sha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await buildProject(
      { engine: () => connectEngine(), cacheRoot: join(work, 'cache') },
      { projectDir: dir, repository: REPO },
      { signal: new AbortController().signal, emit: () => undefined },
    );
    expect(record.error?.message).toBeUndefined();
    expect(record.state).toBe('succeeded');
    const run = await runInImage(docker, `${REPO}:default`, [
      '/env/bin/python',
      '-c',
      'import sdist_only, importlib.metadata as m; print(sdist_only.__version__, m.version("sdist-only"))',
    ]);
    expect({ exit: run.exitCode, out: run.stdout.trim() }).toEqual({ exit: 0, out: '0.1 0.1' });
  }, 900_000);
});
