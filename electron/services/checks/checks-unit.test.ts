import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { shebang } from './command-check';
import { ownPackageModules } from './package-modules';
import { serviceContainerOptions, serviceHost } from './service-check';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tree(files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'condense-pkgmods-'));
  dirs.push(dir);
  for (const file of files) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), '');
  }
  return dir;
}

describe('ownPackageModules (setuptools auto-discovery)', () => {
  it('flat layout: packages with __init__.py and modules, minus tests, docs and setup.py', async () => {
    const dir = await tree([
      'pyproject.toml',
      'setup.py',
      'conftest.py',
      'churnsvc/__init__.py',
      'churnsvc/serve.py',
      'tests/__init__.py',
      'docs/conf.py',
      'notes/readme.txt',
      'helpers.py',
      '_private.py',
    ]);
    expect(await ownPackageModules(dir)).toEqual(['churnsvc', 'helpers']);
  });

  it('src layout: everything under src/', async () => {
    const dir = await tree([
      'pyproject.toml',
      'src/nyc_taxi_fare/__init__.py',
      'src/tools/x.py',
      'tests/test_a.py',
    ]);
    expect(await ownPackageModules(dir)).toEqual(['nyc_taxi_fare', 'tools']);
  });
});

describe('shebang', () => {
  it('reads the interpreter and its arguments, only from a #! first line', () => {
    expect(shebang(Buffer.from('#!/env/bin/python3.11\nimport x\n'))).toEqual([
      '/env/bin/python3.11',
    ]);
    expect(shebang(Buffer.from('#! /usr/bin/env python3 -u\n'))).toEqual([
      '/usr/bin/env',
      'python3',
      '-u',
    ]);
    expect(shebang(Buffer.from('\x7fELF\x02\x01'))).toBeUndefined();
    expect(shebang(Buffer.from('#!'))).toBeUndefined();
  });
});

describe('the service container', () => {
  it('publishes the port on 127.0.0.1 only, on a free host port, on the default network', () => {
    expect(serviceContainerOptions('sha256:abc', 8000, 'default')).toEqual({
      Image: 'sha256:abc',
      Tty: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: { '8000/tcp': {} },
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
  });

  it('publishes nothing on the host network (the service binds the host port itself)', () => {
    const options = serviceContainerOptions('sha256:abc', 8000, 'host');
    expect(options.HostConfig).toEqual({ NetworkMode: 'host' });
    expect(options.ExposedPorts).toBeUndefined();
  });

  it('reaches only a local engine', () => {
    expect(serviceHost('unix:///var/run/docker.sock')).toBe('127.0.0.1');
    expect(serviceHost('tcp://127.0.0.1:2375')).toBe('127.0.0.1');
    expect(serviceHost('tcp://build-box:2376')).toBeUndefined();
    expect(serviceHost('ssh://me@build-box')).toBeUndefined();
  });
});
