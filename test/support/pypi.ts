import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import type { IndexServer } from '../../fixtures/pypi/index-server';
import { startIndexServer } from '../../fixtures/pypi/index-server';
import { FIXTURE_BUILDER_IMAGE, FIXTURE_RUNTIME_IMAGE } from './docker';
import { available } from './requirements';

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
