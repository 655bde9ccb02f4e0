import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registryAuth } from './registry-auth';

/**
 * Docker's credentials as `docker push` finds them: credential helpers (the real protocol: `get`
 * with the registry on stdin, JSON on stdout), the default store, then `auths`.
 */
describe('registry credentials from Docker config', () => {
  let root: string;
  let bin: string;

  /** A `docker-credential-<name>` program that answers from a table of registries. */
  async function helper(name: string, script: string): Promise<void> {
    const path = join(bin, `docker-credential-${name}`);
    await writeFile(path, `#!/bin/sh\n[ "$1" = get ] || exit 3\nread registry\n${script}\n`);
    await chmod(path, 0o755);
  }

  async function config(name: string, body: unknown): Promise<NodeJS.ProcessEnv> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify(body));
    return { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` };
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'condense-registry-auth-'));
    bin = join(root, 'bin');
    await mkdir(bin);
    await helper(
      'team',
      [
        'case "$registry" in',
        '  r.example) echo \'{"ServerURL":"r.example","Username":"ci","Secret":"s3cret"}\' ;;',
        '  t.example) echo \'{"ServerURL":"t.example","Username":"<token>","Secret":"tok"}\' ;;',
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac',
      ].join('\n'),
    );
    await helper('broken', 'echo "keychain locked" >&2; exit 1');
    await helper('chatty', 'echo "hello"');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('asks the per-registry helper first, then the default store, else auths', async () => {
    const env = await config('helpers', {
      credHelpers: { 'r.example': 'team' },
      auths: { 'r.example': { auth: Buffer.from('file:no').toString('base64') } },
    });
    expect(await registryAuth('r.example', { env })).toEqual({
      serveraddress: 'r.example',
      username: 'ci',
      password: 's3cret',
    });
    // Another registry: no helper for it, so `auths` (none here).
    expect(await registryAuth('other.example', { env })).toBeUndefined();

    const store = await config('store', { credsStore: 'team', auths: { 't.example': {} } });
    expect(await registryAuth('t.example', { env: store })).toEqual({
      serveraddress: 't.example',
      identitytoken: 'tok',
    });
    // The store has no login for it: anonymous, as docker push.
    expect(await registryAuth('none.example', { env: store })).toBeUndefined();
  });

  it('reads auths as docker login writes them (base64 user:password, https:// keys, Docker Hub)', async () => {
    const env = await config('auths', {
      auths: {
        'https://127.0.0.1:5000': { auth: Buffer.from('me:pa:ss').toString('base64') },
        'https://index.docker.io/v1/': { identitytoken: 'hub-token' },
      },
    });
    expect(await registryAuth('127.0.0.1:5000', { env })).toEqual({
      serveraddress: '127.0.0.1:5000',
      username: 'me',
      password: 'pa:ss',
    });
    expect(await registryAuth('docker.io', { env })).toEqual({
      serveraddress: 'docker.io',
      identitytoken: 'hub-token',
    });
    expect(
      await registryAuth('127.0.0.1:5000', { env: { DOCKER_CONFIG: join(root, 'nothing') } }),
    ).toBeUndefined();
  });

  it('says clearly when a helper is missing, fails or answers nonsense, never echoing a secret', async () => {
    const missing = await config('missing', { credHelpers: { 'r.example': 'absent' } });
    await expect(registryAuth('r.example', { env: missing })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('docker-credential-absent') as unknown,
    });
    const broken = await config('broken', { credsStore: 'broken' });
    await expect(registryAuth('r.example', { env: broken })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('keychain locked') as unknown,
    });
    const chatty = await config('chatty', { credsStore: 'chatty' });
    await expect(registryAuth('r.example', { env: chatty })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('not JSON') as unknown,
    });
    const odd = await config('odd', { credsStore: '../../bin/sh' });
    await expect(registryAuth('r.example', { env: odd })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await writeFile(join(root, 'odd', 'config.json'), '{ not json');
    await expect(registryAuth('r.example', { env: odd })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
