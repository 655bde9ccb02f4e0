import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCliCaptured } from '../../../test/support/cli';

const cli = runCliCaptured;

describe('condense init', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'condense-init-'));
    process.env.CONDENSE_CONFIG_DIR = join(dir, 'config');
  });
  afterEach(async () => {
    delete process.env.CONDENSE_CONFIG_DIR;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes both skeletons with the given name, channels and python, and lists them on stdout', async () => {
    const project = join(dir, 'svc');
    const result = await cli([
      'init',
      '-C',
      project,
      '--name',
      'fare-model',
      '--channel',
      'conda-forge',
      '--channel',
      'bioconda',
      '--python',
      '3.12',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${project}/environment.yml`,
      `${project}/condense.yml`,
    ]);
    const env = await readFile(join(project, 'environment.yml'), 'utf8');
    expect(env).toContain('name: fare-model');
    expect(env).toMatch(/channels:\n\s+- conda-forge\n\s+- bioconda/);
    expect(env).toContain('python=3.12');
    expect(await readFile(join(dir, 'config', 'recent-projects.json'), 'utf8')).toContain(project);
  });

  it('refuses to overwrite an existing environment.yml and leaves it untouched', async () => {
    await writeFile(join(dir, 'environment.yml'), '# mine\nname: keep\n');
    const result = await cli(['init', '-C', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds an environment.yml/);
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).toBe('# mine\nname: keep\n');
  });

  it('names the bad field in one line', async () => {
    const result = await cli(['init', '-C', join(dir, 'x'), '--python', 'three']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^condense init: Give the Python version as 3\.11/);
  });
});
