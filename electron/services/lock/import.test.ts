import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { isCondenseError } from '../../../shared/api/errors';
import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from '../channels/repodata-cache';
import { importLockfiles } from './import';
import { lockProject } from './lock-service';

let root: string;
let server: ChannelServer;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-import-'));
  // python depends on pip and pip on python, as on conda-forge when python pulls pip in.
  await writeMiniChannel(join(root, 'channel'), [
    { name: 'libzlib', version: '1.3.1', build: 'h0_1' },
    { name: 'python', version: '3.11.9', build: 'h0_0_cpython', depends: ['libzlib >=1.3', 'pip'] },
    {
      name: 'pip',
      version: '24.0',
      build: 'pyhd8ed1ab_0',
      depends: ['python >=3.8'],
      subdir: 'noarch',
    },
    { name: 'numpy', version: '1.26.4', build: 'py311h0_0', depends: ['python >=3.11,<3.12'] },
    {
      name: 'astropy',
      version: '6.0.0',
      build: 'py311h0_0',
      depends: ['numpy >=1.22', 'python >=3.11,<3.12'],
    },
  ]);
  server = await startChannelServer({ root: join(root, 'channel') });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function project(): Promise<string> {
  const dir = join(root, `p${++counter}`);
  await mkdir(dir);
  await writeFile(
    join(dir, 'environment.yml'),
    `channels: [${server.url}]\ndependencies:\n  - astropy\n`,
  );
  return dir;
}

const md5 = (c: string) => (c.charCodeAt(0) % 16).toString(16).repeat(32);

describe('dependency order', () => {
  it('puts python before pip, as conda orders an explicit install', async () => {
    const dir = await project();
    await lockProject(
      { projectDir: dir },
      {},
      { cache: new RepodataCache({ dir: join(root, 'cache') }) },
    );
    const names = parseExplicitLockfile(
      await readFile(join(dir, 'conda-linux-64.lock'), 'utf8'),
    ).packages.map((p) => p.name);
    expect(names).toEqual(['libzlib', 'python', 'numpy', 'pip', 'astropy']);
  });
});

describe('import', () => {
  it('takes build strings from conda-lock.yml URLs, keeps main only, each package once, in conda order', async () => {
    const dir = await project();
    const source = join(root, `lock-${counter}.yml`);
    const entry = (
      name: string,
      version: string,
      build: string,
      subdir: string,
      category: string,
      deps = '{}',
    ) =>
      `  - name: ${name}\n    version: '${version}'\n    manager: conda\n    platform: linux-64\n    dependencies: ${deps}\n    url: ${server.url}/${subdir}/${name}-${version}-${build}.conda\n    hash:\n      md5: '${md5(name[0]!)}'\n    category: ${category}\n    optional: ${category !== 'main'}\n`;
    await writeFile(
      source,
      `version: 1\nmetadata:\n  content_hash:\n    linux-64: abc\n  channels:\n    - url: conda-forge\n      used_env_vars: []\n  platforms: [linux-64]\n  sources: [environment.yml]\npackage:\n` +
        entry('pip', '24.0', 'pyhd8ed1ab_0', 'noarch', 'main', '{python: ">=3.8"}') +
        entry(
          'python',
          '3.11.9',
          'h0_0_cpython',
          'linux-64',
          'main',
          '{pip: "*", libzlib: ">=1.3"}',
        ) +
        entry('libzlib', '1.3.1', 'h0_1', 'linux-64', 'main') +
        entry('libzlib', '1.3.1', 'h0_1', 'linux-64', 'dev') +
        entry('pytest', '8.0', 'pyh0_0', 'noarch', 'test') +
        entry('black', '24.1', 'pyh0_0', 'noarch', 'dev'),
    );
    const result = await importLockfiles(dir, [source]);
    expect(result.platforms).toEqual([{ platform: 'linux-64', packages: 3 }]);
    const explicit = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
    expect(parseExplicitLockfile(explicit).packages.map((p) => [p.name, p.build])).toEqual([
      ['libzlib', 'h0_1'],
      ['python', 'h0_0_cpython'],
      ['pip', 'pyhd8ed1ab_0'],
    ]);
    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    // `dev` on request (conda-lock's --dev), still each package once; `test` never.
    const dev = await importLockfiles(dir, [source], { includeDev: true });
    expect(dev.platforms).toEqual([{ platform: 'linux-64', packages: 4 }]);
    expect(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8')).not.toContain('pytest');
    expect(yml.packages.find((p) => p.name === 'pytest')).toMatchObject({
      category: 'test',
      build: 'pyh0_0',
    });
  });

  it('keeps # pip lines and takes the platform from the URLs when the header is missing', async () => {
    const dir = await project();
    const source = join(root, `explicit-${counter}.txt`);
    const wheel = 'https://files.example.org/packages/requests-2.32.0-py3-none-any.whl';
    await writeFile(
      source,
      `@EXPLICIT\n${server.url}/linux-64/libzlib-1.3.1-h0_1.conda#${md5('a')}\n${server.url}/noarch/pip-24.0-pyhd8ed1ab_0.conda#${md5('b')}\n# pip requests @ ${wheel}#sha256=${'c'.repeat(64)}\n`,
    );
    const result = await importLockfiles(dir, [source]);
    expect(result.platforms).toEqual([{ platform: 'linux-64', packages: 3 }]);
    const explicit = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
    expect(explicit).toContain(`# pip requests @ ${wheel}#sha256=${'c'.repeat(64)}\n`);
    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    expect(yml.packages.find((p) => p.manager === 'pip')).toMatchObject({
      name: 'requests',
      version: '2.32.0',
      url: wheel,
    });
  });

  it.each([
    [
      'a platform name that tries to leave the folder',
      `# platform: ../../x\n@EXPLICIT\nhttps://h/linux-64/a-1-0.conda#${md5('a')}\n`,
      /names platform "\.\.\/\.\.\/x", which is not one Condense knows/,
    ],
    [
      'URLs of several platforms without a header',
      `@EXPLICIT\nhttps://h/linux-64/a-1-0.conda#${md5('a')}\nhttps://h/osx-64/b-1-0.conda#${md5('b')}\n`,
      /several platforms \(linux-64, osx-64\)/,
    ],
    [
      'a pixi.lock',
      'version: 6\nenvironments:\n  default: {}\npackages: []\n',
      /this is a pixi\.lock \(pixi's format, version 6\)/,
    ],
    [
      'conda-lock.yml version 2',
      'version: 2\nmetadata: {}\npackage: []\n',
      /version 2 is not supported: Condense reads conda-lock.yml version 1/,
    ],
    [
      'a conda-lock.yml platform that is a path',
      'version: 1\nmetadata:\n  platforms: [../../etc]\npackage: []\n',
      /platform "\.\.\/\.\.\/etc" is not one Condense knows/,
    ],
    [
      'an environment file',
      'name: x\ndependencies: [numpy]\n',
      /this is an environment file, not a lockfile/,
    ],
    [
      'a conda list --export file',
      'numpy=1.26.4=py311h0_0\npython=3.11.9=h0_0\n',
      /"conda list --export" file/,
    ],
    ['anything else', 'hello\n', /not a lockfile Condense reads/],
  ])('refuses %s by name and writes nothing', async (_what, text, message) => {
    const dir = await project();
    const source = join(root, `bad-${counter}.lock`);
    await writeFile(source, text);
    const error = await importLockfiles(dir, [source]).catch((e: unknown) => e);
    expect(isCondenseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`bad-${counter}.lock`);
    expect((await readdir(dir)).sort()).toEqual(['environment.yml']);
    expect(await readdir(join(root, '..'))).not.toContain('x');
  });
});
