// Remote engines over TCP and TLS, against the real engine: a proxy on 127.0.0.1 forwards to its unix
// socket (plain, or terminating TLS with client certificates like a `dockerd --tlsverify` engine).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

import { afterAll, describe, expect, it } from 'vitest';

import { isCondenseError } from '../../../shared/api/errors';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { connectEngine, engineInfo } from './engine';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-remote-'));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(temp, { recursive: true, force: true });
});

const socketPath = () => new URL(dockerHost()).pathname;

function forward(client: Socket): void {
  const upstream = connect(socketPath());
  client.pipe(upstream).pipe(client);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: temp, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker-machine` makes them. */
function makeCertificates(): string {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=condense-test-ca',
  );
  writeFileSync(
    join(temp, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(join(temp, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [
    ['server', 'server.ext'],
    ['client', 'client.ext'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      ext,
    );
  }
  // The layout DOCKER_CERT_PATH expects.
  const certs = join(temp, 'client-certs');
  execFileSync('mkdir', ['-p', certs]);
  writeFileSync(join(certs, 'ca.pem'), readFileSync(join(temp, 'ca.pem')));
  writeFileSync(join(certs, 'cert.pem'), readFileSync(join(temp, 'client.pem')));
  writeFileSync(join(certs, 'key.pem'), readFileSync(join(temp, 'client-key.pem')));
  return certs;
}

describe.runIf(hasDocker)('remote engines', () => {
  it('reaches an engine over tcp:// (DOCKER_HOST)', async () => {
    const port = await listen(createServer(forward));
    const engine = connectEngine({
      env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` },
      dockerConfigDir: temp,
    });
    const info = await engineInfo(engine);
    expect(info.host).toBe(`tcp://127.0.0.1:${port}`);
    expect(info.buildkit).toBe(true);
    expect(info.version).toMatch(/^\d+\./);
  });

  it('reaches an engine over TLS with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and is refused without the client certificate or CA', async () => {
    const certs = makeCertificates();
    const port = await listen(
      createTlsServer(
        {
          key: readFileSync(join(temp, 'server-key.pem')),
          cert: readFileSync(join(temp, 'server.pem')),
          ca: readFileSync(join(temp, 'ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        forward,
      ),
    );
    const env = {
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    };
    const info = await engineInfo(connectEngine({ env, dockerConfigDir: temp }));
    expect(info.host).toBe(`tcp://127.0.0.1:${port}`);
    expect(Number(info.apiVersion)).toBeGreaterThanOrEqual(1.39);

    // Without a client certificate, and without the CA: refused, with what to set.
    for (const options of [
      {
        protocol: 'https' as const,
        host: '127.0.0.1',
        port,
        ca: readFileSync(join(certs, 'ca.pem')),
      },
      { protocol: 'https' as const, host: '127.0.0.1', port },
    ]) {
      const target = { host: `tcp://127.0.0.1:${port}`, context: 'default', options };
      const error = await engineInfo(connectEngine(target)).catch((e: unknown) => e);
      expect(isCondenseError(error, 'UNAUTHORIZED')).toBe(true);
      expect((error as Error).message).toMatch(/DOCKER_CERT_PATH/);
    }
    // Plain HTTP to a TLS port: not reachable, never a crash.
    const plain = connectEngine({
      env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` },
      dockerConfigDir: temp,
    });
    const error = await engineInfo(plain).catch((e: unknown) => e);
    expect(isCondenseError(error, 'ENGINE_UNAVAILABLE')).toBe(true);
  });
});
