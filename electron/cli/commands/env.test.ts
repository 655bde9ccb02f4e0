import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import type { ServedChannel } from '../../../test/support/channels';
import { serveRealisticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';
import { connectDocker, fixtureImagesRequirement } from '../../../test/support/docker';
import type { ServedIndexes } from '../../../test/support/pypi';
import { PRIVATE_LOGIN, servePypiIndexes, writePipProject } from '../../../test/support/pypi';
import { available } from '../../../test/support/requirements';

let root: string;
let channel: ServedChannel | undefined;
let indexes: ServedIndexes | undefined;
let docker = false;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-cli-env-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
  docker = available(
    'Docker with the fixture images',
    await fixtureImagesRequirement(connectDocker()),
  );
  channel = await serveRealisticChannel();
  indexes = await servePypiIndexes();
  if (indexes) {
    process.env.PIP_LOGIN = PRIVATE_LOGIN;
    process.env.PIP_TOKEN = indexes.token;
  }
});
afterAll(async () => {
  delete process.env.PIP_TOKEN;
  delete process.env.PIP_LOGIN;
  await channel?.close();
  await indexes?.close();
  await rm(root, { recursive: true, force: true });
});

describe('condense env and condense lock with a pip: section', () => {
  it('env lists conda and pip specs with the indexes as written (no credential)', async () => {
    if (!channel || !indexes) return;
    const dir = join(root, 'env');
    await writePipProject(dir, channel.url, indexes, [
      'requests[socks]>=2.28',
      'pinme; python_version >= "3.8"',
    ]);
    const text = await runCliCaptured(['env', '--project', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('  python 3.11.*\n');
    expect(text.stdout).toMatch(
      /pip:\n {2}--index-url http:\/\/127\.0\.0\.1:\d+\/simple\n {2}--extra-index-url http:\/\/\*\*\*@127/,
    );
    expect(text.stdout).toContain('  requests[socks]>=2.28\n  pinme; python_version >= "3.8"\n');
    expect(text.stdout).not.toContain(indexes.token);
  });

  it('lock with the built-in engine writes the pip packages; a bad line fails in one line', async () => {
    if (!channel || !indexes || !docker) return;
    const dir = join(root, 'lock');
    await writePipProject(dir, channel.url, indexes, ['pinme', 'tabulate']);
    const result = await runCliCaptured(['lock', '--project', dir]);
    expect({ code: result.code, err: result.stderr.slice(-300) }).toMatchObject({ code: 0 });
    const lock = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    expect(
      lock.packages
        .filter((p) => p.manager === 'pip')
        .map((p) => `${p.name}==${p.version}`)
        .sort(),
    ).toEqual(['pinme==1.0', 'tabulate==0.8.9']);
    const bad = join(root, 'bad');
    await writePipProject(bad, channel.url, indexes, ['-e ./src']);
    const failed = await runCliCaptured(['lock', '--project', bad]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr.trim().split('\n').at(-1)).toMatch(
      /editable installs cannot be locked.*own-package field/,
    );
  }, 600_000);
});
