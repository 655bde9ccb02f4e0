import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type Docker from 'dockerode';

import type { IndexServer } from '../../fixtures/pypi/index-server';
import { startIndexServer } from '../../fixtures/pypi/index-server';
import type { ServedChannel } from './channels';
import { serveRealisticChannel } from './channels';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
} from './docker';
import { available } from './requirements';
import { removeRepository } from './test-images';

/** Where `fixtures/pypi/build.sh` writes the offline package indexes. */
export const PYPI_INDEX_DIR = resolve(join(import.meta.dirname, '../../fixtures/out/pypi-index'));

/** The private index's basic-auth login; the password is made per run so a leak is findable. */
export const PRIVATE_LOGIN = 'ci-reader';

export interface ServedIndexes {
  public: IndexServer;
  private: IndexServer;
  /** The private index's password: must appear in no file, layer, log or export. */
  token: string;
  close(): Promise<void>;
}

export function pypiIndexAvailable(): boolean {
  return available('offline pip index', {
    ok: existsSync(join(PYPI_INDEX_DIR, 'public', 'projects.json')),
    reason: `${PYPI_INDEX_DIR} is not built (run: bash fixtures/pypi/build.sh)`,
  });
}

/** Serves the public index and the private one (basic auth with a fresh token), or undefined. */
export async function servePypiIndexes(): Promise<ServedIndexes | undefined> {
  if (!pypiIndexAvailable()) return undefined;
  const token = `tok-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const pub = await startIndexServer({ root: join(PYPI_INDEX_DIR, 'public') });
  const priv = await startIndexServer({
    root: join(PYPI_INDEX_DIR, 'private'),
    auth: { username: PRIVATE_LOGIN, password: token },
  });
  return {
    public: pub,
    private: priv,
    token,
    close: async () => {
      await pub.close();
      await priv.close();
    },
  };
}

// click and six come from conda: pip must leave them alone.
export const CONDA_SPECS = ['python 3.11.*', 'pip', 'click', 'six', 'setuptools'];

/** A project on the realistic channel with a pip section; the private index's login in ${VAR}s. */
export async function writePipProject(
  dir: string,
  channelUrl: string,
  served: ServedIndexes,
  pip: string[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const privateUrl = served.private.simpleUrl.replace(
    'http://',
    'http://${PIP_LOGIN}:${PIP_TOKEN}@',
  );
  await writeFile(
    join(dir, 'environment.yml'),
    [
      'name: pip-project',
      'channels:',
      `  - ${channelUrl}`,
      '  - nodefaults',
      'dependencies:',
      ...CONDA_SPECS.map((s) => `  - ${s}`),
      '  - pip:',
      `    - --index-url ${served.public.simpleUrl}`,
      `    - --extra-index-url ${privateUrl}`,
      ...pip.map((l) => `    - ${l}`),
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'condense.yml'),
    `version: 1\nbuilderImage: ${FIXTURE_BUILDER_IMAGE}\nruntimeImage: ${FIXTURE_RUNTIME_IMAGE}\nnetwork: host\nprune:\n  preset: none\n`,
  );
}

/** What the real-engine pip tests share: the realistic channel, the served indexes and a work folder. */
export interface PipFixture {
  docker: Docker;
  channel?: ServedChannel;
  indexes?: ServedIndexes;
  /** '' when the fixture did not start (no Docker or fixture images). */
  work: string;
}

/**
 * Starts the pip tests' fixture, with the private index's login in PIP_LOGIN / PIP_TOKEN (as users
 * give it, through the environment); only `docker` when the engine or its fixture images are missing.
 */
export async function startPipFixture(workPrefix: string): Promise<PipFixture> {
  const docker = connectDocker();
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker)))
    return { docker, work: '' };
  const channel = await serveRealisticChannel();
  const indexes = await servePypiIndexes();
  const work = await mkdtemp(join(tmpdir(), workPrefix));
  if (indexes) {
    process.env.PIP_LOGIN = PRIVATE_LOGIN;
    process.env.PIP_TOKEN = indexes.token;
  }
  return { docker, ...(channel ? { channel } : {}), ...(indexes ? { indexes } : {}), work };
}

/** Stops what `startPipFixture` started, removing `repository`'s images when given. */
export async function stopPipFixture(fixture: PipFixture, repository?: string): Promise<void> {
  delete process.env.PIP_TOKEN;
  delete process.env.PIP_LOGIN;
  // Nothing was built when the fixture could not start (no engine): nothing to remove.
  if (repository && fixture.work) await removeRepository(fixture.docker, repository);
  await fixture.channel?.close();
  await fixture.indexes?.close();
  if (fixture.work) await rm(fixture.work, { recursive: true, force: true });
}
