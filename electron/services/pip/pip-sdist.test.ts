// `pip: {sdist: build}` in condense.yml: a package published only as source is locked (its sdist's
// URL and sha256) and built into a wheel in the builder stage, hash-checked like the wheels.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import type { ServedChannel } from '../../../test/support/channels';
import { serveRealisticChannel } from '../../../test/support/channels';
import { connectDocker, fixtureImagesRequirement, runInImage } from '../../../test/support/docker';
import type { ServedIndexes } from '../../../test/support/pypi';
import { PRIVATE_LOGIN, servePypiIndexes, writePipProject } from '../../../test/support/pypi';
import { available } from '../../../test/support/requirements';
import { removeRepository } from '../../../test/support/test-images';
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
  docker = connectDocker();
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  indexes = await servePypiIndexes();
  work = await mkdtemp(join(tmpdir(), 'condense-pip-sdist-'));
  if (indexes) {
    process.env.PIP_LOGIN = PRIVATE_LOGIN;
    process.env.PIP_TOKEN = indexes.token;
  }
});

afterAll(async () => {
  delete process.env.PIP_TOKEN;
  delete process.env.PIP_LOGIN;
  if (docker) await removeRepository(docker, REPO);
  await channel?.close();
  await indexes?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

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
