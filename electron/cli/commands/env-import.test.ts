import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCliCaptured as cli } from '../../../test/support/cli';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-cli-env-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ENV = `channels:
  - https://user:\${CONDENSE_TEST_SECRET}@conda.example.org/internal
  - conda-forge
dependencies:
  - python=3.11
  - gcc_linux-64  # [linux64]
  - clang_osx-arm64  # [arm64]
  - pip:
    - --index-url https://\${CONDENSE_TEST_PIP_HOST}/simple
    - requests
variables:
  MPLBACKEND: Agg
dependecies: []
`;

async function project(): Promise<string> {
  const dir = join(root, `p${Math.random().toString(16).slice(2)}`);
  await mkdir(dir);
  await writeFile(join(dir, 'environment.yml'), ENV);
  return dir;
}

describe('condense env', () => {
  it('prints one platform after selectors and expansion, without credentials', async () => {
    process.env.CONDENSE_TEST_SECRET = 'hunter2';
    process.env.CONDENSE_TEST_PIP_HOST = 'pypi.example.org';
    try {
      const dir = await project();
      const result = await cli(['env', '--project', dir, '--platform', 'osx-arm64', '--json']);
      expect(result.code).toBe(0);
      const env = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(env).toMatchObject({
        platform: 'osx-arm64',
        channels: ['https://conda.example.org/internal', 'conda-forge'],
        conda: ['python=3.11', 'clang_osx-arm64'],
        pip: ['--index-url https://pypi.example.org/simple', 'requests'],
        variables: { MPLBACKEND: 'Agg' },
      });
      expect(result.stdout).not.toContain('hunter2');
      expect((env.warnings as { line: number; message: string }[])[0]).toMatchObject({ line: 13 });
      const text = await cli(['env', '--project', dir]);
      expect(text.stdout).toContain('  gcc_linux-64\n');
      expect(text.stdout).toMatch(
        /line 13, column 1: unknown key "dependecies" \(did you mean "dependencies"\?\)/,
      );
    } finally {
      delete process.env.CONDENSE_TEST_SECRET;
      delete process.env.CONDENSE_TEST_PIP_HOST;
    }
  });

  it('refuses an unknown platform in one line', async () => {
    const result = await cli(['env', '--project', await project(), '--platform', '../x']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--platform takes one of linux-64/);
  });
});

describe('condense import', () => {
  it('imports an explicit file and prints platforms and package counts', async () => {
    const dir = await project();
    const source = join(root, 'conda-osx-arm64.lock');
    await writeFile(
      source,
      `# platform: osx-arm64\n@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/osx-arm64/libzlib-1.3.1-h0_1.conda#${'a'.repeat(32)}\n`,
    );
    const json = await cli(['import', '--project', dir, source, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      files: [join(dir, 'conda-osx-arm64.lock'), join(dir, 'conda-lock.yml')],
      platforms: [{ platform: 'osx-arm64', packages: 1 }],
    });
    const text = await cli(['import', '--project', dir, source]);
    expect(text.stdout).toBe('osx-arm64: 1 packages\n');
  });

  it('refuses a pixi.lock by name', async () => {
    const source = join(root, 'pixi.lock');
    await writeFile(source, 'version: 6\nenvironments: {}\npackages: []\n');
    const result = await cli(['import', '--project', await project(), source]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/pixi\.lock: this is a pixi\.lock/);
  });
});
