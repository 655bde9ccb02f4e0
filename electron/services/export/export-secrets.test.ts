import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ServedChannel, serveSyntheticChannel } from '../../../test/support/channels';
import { withPlaceholders } from './export-secrets';
import { exportProject } from './export-service';

let root: string;
let channel: ServedChannel;
let LOCK: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-export-secrets-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
  // A real package: the export's SBOM reads each locked package.
  channel = await serveSyntheticChannel();
  const data = JSON.parse(
    await readFile(join(channel.dir, 'linux-64', 'repodata.json'), 'utf8'),
  ) as { 'packages.conda': Record<string, { md5: string }> };
  const [file, record] = Object.entries(data['packages.conda'])[0]!;
  LOCK = `# platform: linux-64\n@EXPLICIT\n${channel.url}/linux-64/${file}#${record.md5}\n`;
});
afterAll(async () => {
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

async function project(name: string, environment: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'environment.yml'), environment);
  await writeFile(join(dir, 'condense.yml'), 'version: 1\n');
  await writeFile(join(dir, 'conda-linux-64.lock'), LOCK);
  return dir;
}

describe('withPlaceholders', () => {
  it('replaces every credential form and keeps the rest of the text', () => {
    const { text, variables } = withPlaceholders(
      [
        'channels:  # keep me',
        '  - https://alice:s3cret@conda.example.com/private',
        '  - https://conda.anaconda.org/t/tk-1234/acme',
        '  - https://repo.prefix.dev/x?token=abc&x=1',
        '  - https://${U}:${P}@h.org/c',
        '  - conda-forge',
      ].join('\n'),
    );
    expect(text).not.toMatch(/alice|s3cret|tk-1234|abc&/);
    expect(text).toContain('channels:  # keep me');
    expect(text).toContain(
      'https://${CONDA_CHANNEL_USER_CONDA_EXAMPLE_COM}:${CONDA_CHANNEL_PASSWORD_CONDA_EXAMPLE_COM}@conda.example.com/private',
    );
    expect(text).toContain('/t/${CONDA_CHANNEL_TOKEN_CONDA_ANACONDA_ORG}/acme');
    expect(text).toContain('?token=${CONDA_CHANNEL_TOKEN_REPO_PREFIX_DEV}&x=1');
    expect(text).toContain('https://${U}:${P}@h.org/c');
    expect(variables.map((v) => v.name)).toEqual([
      'CONDA_CHANNEL_USER_CONDA_EXAMPLE_COM',
      'CONDA_CHANNEL_PASSWORD_CONDA_EXAMPLE_COM',
      'CONDA_CHANNEL_TOKEN_CONDA_ANACONDA_ORG',
      'CONDA_CHANNEL_TOKEN_REPO_PREFIX_DEV',
    ]);
  });
});

describe('export and secrets', () => {
  it('writes channel URLs without credentials, a README note, and keeps file modes', async () => {
    const dir = await project(
      'creds',
      'channels:\n  - https://alice:s3cret@conda.example.com/private\n  - https://conda.anaconda.org/t/tk-1234/acme\ndependencies: [six]\n',
    );
    await chmod(join(dir, 'environment.yml'), 0o600);
    const out = join(root, 'out-creds');
    await exportProject({ projectDir: dir, dir: out });
    const environment = await readFile(join(out, 'environment.yml'), 'utf8');
    expect(environment).not.toMatch(/s3cret|tk-1234|alice/);
    expect(environment).toContain('${CONDA_CHANNEL_PASSWORD_CONDA_EXAMPLE_COM}');
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    expect(readme).toMatch(
      /## Channel credentials[\s\S]*`CONDA_CHANNEL_TOKEN_CONDA_ANACONDA_ORG`: the token of conda.anaconda.org/,
    );
    expect((await stat(join(out, 'environment.yml'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(out, 'conda-linux-64.lock'), 'utf8')).toBe(LOCK);
  });

  it('refuses a symlink out of the project, naming it, and writes nothing', async () => {
    const dir = await project('link-out', 'channels: [conda-forge]\ndependencies: [six]\n');
    const secret = join(root, 'secret-token.txt');
    await writeFile(secret, 'TOPSECRET\n');
    await symlink(secret, join(dir, 'conda-osx-64.lock'));
    const out = join(root, 'out-link');
    await expect(exportProject({ projectDir: dir, dir: out })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(
        /conda-osx-64\.lock is a symlink to .*secret-token\.txt, outside the project/,
      ) as unknown,
    });
    await expect(stat(join(out, 'conda-osx-64.lock'))).rejects.toThrow();
  });

  it('follows a symlink that stays inside the project', async () => {
    const dir = await project('link-in', 'channels: [conda-forge]\ndependencies: [six]\n');
    await mkdir(join(dir, 'locks'));
    await writeFile(join(dir, 'locks', 'osx.lock'), LOCK);
    await symlink(join(dir, 'locks', 'osx.lock'), join(dir, 'conda-osx-64.lock'));
    const out = join(root, 'out-link-in');
    await exportProject({ projectDir: dir, dir: out });
    expect(await readFile(join(out, 'conda-osx-64.lock'), 'utf8')).toBe(LOCK);
  });
});
