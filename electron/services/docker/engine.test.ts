import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { isCondenseError } from '../../../shared/api/errors';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { connectEngine, engineError, engineInfo } from './engine';
import { resolveEngineTarget } from './engine-target';

const temp = mkdtempSync(join(tmpdir(), 'condense-engine-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveEngineTarget', () => {
  const noConfig = join(temp, 'no-docker-config');

  it('defaults to the local socket', () => {
    const target = resolveEngineTarget({ env: {}, dockerConfigDir: noConfig });
    expect(target).toEqual({
      host: 'unix:///var/run/docker.sock',
      context: 'default',
      options: { socketPath: '/var/run/docker.sock' },
    });
  });

  it('reads DOCKER_HOST for unix and plain tcp', () => {
    expect(
      resolveEngineTarget({ env: { DOCKER_HOST: 'unix:///tmp/d.sock' }, dockerConfigDir: noConfig })
        .options,
    ).toEqual({
      socketPath: '/tmp/d.sock',
    });
    expect(
      resolveEngineTarget({
        env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' },
        dockerConfigDir: noConfig,
      }),
    ).toMatchObject({
      host: 'tcp://10.0.0.5:2375',
      options: { protocol: 'http', host: '10.0.0.5', port: 2375 },
    });
  });

  it('uses TLS material from DOCKER_CERT_PATH with DOCKER_TLS_VERIFY, and names a missing file', () => {
    const certs = join(temp, 'certs');
    mkdirSync(certs, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), `-- ${f} --`);
    const target = resolveEngineTarget({
      env: {
        DOCKER_HOST: 'tcp://build.example:2376',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: certs,
      },
      dockerConfigDir: noConfig,
    });
    expect(target.options).toMatchObject({ protocol: 'https', host: 'build.example', port: 2376 });
    expect((target.options.ca as Buffer).toString()).toBe('-- ca.pem --');
    expect((target.options.key as Buffer).toString()).toBe('-- key.pem --');
    rmSync(join(certs, 'key.pem'));
    const error = catching(() =>
      resolveEngineTarget({
        env: {
          DOCKER_HOST: 'tcp://build.example:2376',
          DOCKER_TLS_VERIFY: '1',
          DOCKER_CERT_PATH: certs,
        },
        dockerConfigDir: noConfig,
      }),
    );
    expect(isCondenseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain('key.pem');
  });

  it('reads ssh addresses with user and port', () => {
    expect(
      resolveEngineTarget({
        env: { DOCKER_HOST: 'ssh://builder@big-box:2222' },
        dockerConfigDir: noConfig,
      }),
    ).toMatchObject({
      host: 'ssh://builder@big-box:2222',
      options: { protocol: 'ssh', host: 'big-box', port: 2222, username: 'builder' },
    });
  });

  it('follows the current Docker context (meta.json under sha256 of the name) and DOCKER_CONTEXT', () => {
    const config = join(temp, 'docker-config');
    const addContext = (name: string, host: string) => {
      const dir = join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'meta.json'),
        JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }),
      );
    };
    addContext('remote', 'ssh://ci@remote-host');
    addContext('other', 'unix:///run/other.sock');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    expect(resolveEngineTarget({ env: {}, dockerConfigDir: config })).toMatchObject({
      context: 'remote',
      host: 'ssh://ci@remote-host',
    });
    expect(
      resolveEngineTarget({ env: { DOCKER_CONTEXT: 'other' }, dockerConfigDir: config }),
    ).toMatchObject({
      context: 'other',
      options: { socketPath: '/run/other.sock' },
    });
    const missing = catching(() =>
      resolveEngineTarget({ env: { DOCKER_CONTEXT: 'gone' }, dockerConfigDir: config }),
    );
    expect(isCondenseError(missing, 'NOT_FOUND')).toBe(true);
    expect((missing as Error).message).toContain('"gone"');
  });

  it('refuses unknown address schemes with what to use', () => {
    const error = catching(() =>
      resolveEngineTarget({ env: { DOCKER_HOST: 'ftp://x' }, dockerConfigDir: noConfig }),
    );
    expect((error as Error).message).toMatch(/unix:\/\/, tcp:\/\/.*ssh:\/\//);
  });
});

describe('engine errors', () => {
  it('says the engine is not running when nothing listens on the socket', async () => {
    const engine = connectEngine({
      env: { DOCKER_HOST: `unix://${join(temp, 'nobody.sock')}` },
      dockerConfigDir: temp,
    });
    const error = await engineInfo(engine).catch((e: unknown) => e);
    expect(isCondenseError(error, 'ENGINE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('nobody.sock');
    expect((error as Error).message).toMatch(/not running/);
  });

  it('says what to do on a socket without permission (EACCES, faked: root bypasses modes here)', () => {
    const error = engineError(Object.assign(new Error('connect EACCES'), { code: 'EACCES' }), {
      host: 'unix:///var/run/docker.sock',
    });
    expect(isCondenseError(error, 'PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toMatch(/docker" group/);
  });

  it('recognises a full disk in an engine message', () => {
    const error = engineError(
      { statusCode: 500, json: { message: 'write /var/lib/docker/x: no space left on device' } },
      { host: 'h' },
    );
    expect(isCondenseError(error, 'DISK_FULL')).toBe(true);
    expect((error as Error).message).toMatch(/docker system prune/);
  });
});

describe('engineInfo on the real engine', () => {
  it('reports version, API version, architecture and BuildKit support', async () => {
    if (!available('Docker', dockerRequirement())) return;
    const info = await engineInfo(connectEngine({ env: { DOCKER_HOST: dockerHost() } }));
    expect(info.host).toBe(dockerHost());
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(Number(info.apiVersion)).toBeGreaterThanOrEqual(1.39);
    expect(info.architecture).toMatch(/^(amd64|arm64|ppc64le|s390x)$/);
    expect(info.buildkit).toBe(true);
    expect(info.cpus).toBeGreaterThan(0);
  });
});
