import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { available } from '../../../test/support/requirements';
import { manifestDigest } from './registry-client';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const hasOpenssl = available('openssl', {
  ok: (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })(),
  reason: 'openssl missing (apt-get install openssl)',
});

/**
 * A Registry API stand-in: `HEAD /v2/app/manifests/v1` answers the digest to `me:secret` (Basic) or
 * to the token its `/token` endpoint hands out for those credentials (Bearer), 404 for other tags.
 */
function registryHandler(mode: 'basic' | 'bearer', origin: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    const basicOk = auth === `Basic ${Buffer.from('me:secret').toString('base64')}`;
    if (req.url?.startsWith('/token')) {
      res.writeHead(basicOk ? 200 : 401, { 'content-type': 'application/json' });
      return res.end(basicOk ? JSON.stringify({ token: 'tok-123' }) : '{}');
    }
    const ok = mode === 'basic' ? basicOk : auth === 'Bearer tok-123';
    if (!ok) {
      res.writeHead(401, {
        'www-authenticate':
          mode === 'basic'
            ? 'Basic realm="test"'
            : `Bearer realm="${origin()}/token",service="test",scope="repository:app:pull"`,
      });
      return res.end();
    }
    if (req.url === '/v2/app/manifests/v1') {
      res.writeHead(200, { 'docker-content-digest': DIGEST });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the registry client: Docker trust and auth rules', () => {
  let root: string;
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) s.close();
    if (root) await rm(root, { recursive: true, force: true });
  });
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'condense-registry-client-'));
  });

  it('talks plain HTTP only to a registry the user called insecure', async () => {
    let host = '';
    const server = createHttpServer(registryHandler('basic', () => `http://${host}`));
    servers.push(server);
    host = await listen(server);
    const auth = { serveraddress: host, username: 'me', password: 'secret' };
    const certsDir = join(root, 'none');
    await expect(
      manifestDigest({ registry: host, auth, certsDir }, 'app', 'v1'),
    ).rejects.toMatchObject({ message: expect.stringContaining(host) as unknown });
    expect(
      await manifestDigest({ registry: host, auth, certsDir, insecure: true }, 'app', 'v1'),
    ).toBe(DIGEST);
    expect(
      await manifestDigest({ registry: host, auth, certsDir, insecure: true }, 'app', 'v2'),
    ).toBeUndefined();
    await expect(
      manifestDigest(
        { registry: host, auth: { ...auth, password: 'wrong' }, certsDir, insecure: true },
        'app',
        'v1',
      ),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('follows a Bearer challenge to the token endpoint with the Basic credentials', async () => {
    let host = '';
    const server = createHttpServer(registryHandler('bearer', () => `http://${host}`));
    servers.push(server);
    host = await listen(server);
    const target = {
      registry: host,
      auth: { serveraddress: host, username: 'me', password: 'secret' },
      certsDir: join(root, 'none'),
      insecure: true,
    };
    expect(await manifestDigest(target, 'app', 'v1')).toBe(DIGEST);
  });

  it.runIf(hasOpenssl)(
    'trusts a TLS registry whose CA is in certs.d/<host>/, as the engine does, and says where it goes when it is not',
    async () => {
      const dir = join(root, 'tls');
      await mkdir(dir);
      const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      sh(
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=test CA',
        ].concat(['-keyout', 'ca.key', '-out', 'ca.crt']),
      );
      sh(
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          'srv.key',
        ].concat(['-out', 'srv.csr']),
      );
      await writeFile(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
      sh(
        [
          'x509',
          '-req',
          '-in',
          'srv.csr',
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
        ].concat(['-days', '1', '-extfile', 'ext', '-out', 'srv.crt']),
      );
      let host = '';
      const server = createHttpsServer(
        { key: await readFile(join(dir, 'srv.key')), cert: await readFile(join(dir, 'srv.crt')) },
        registryHandler('basic', () => `https://${host}`),
      );
      servers.push(server);
      host = await listen(server);
      const auth = { serveraddress: host, username: 'me', password: 'secret' };
      const certsDir = join(root, 'certs.d');
      await expect(
        manifestDigest({ registry: host, auth, certsDir }, 'app', 'v1'),
      ).rejects.toMatchObject({
        code: 'TLS_FAILED',
        message: expect.stringContaining(`certs.d/${host}/ca.crt`) as unknown,
      });
      // Insecure: TLS without verification, as Docker's insecure-registries.
      expect(
        await manifestDigest({ registry: host, auth, certsDir, insecure: true }, 'app', 'v1'),
      ).toBe(DIGEST);
      await mkdir(join(certsDir, host), { recursive: true });
      await writeFile(join(certsDir, host, 'ca.crt'), await readFile(join(dir, 'ca.crt')));
      expect(await manifestDigest({ registry: host, auth, certsDir }, 'app', 'v1')).toBe(DIGEST);
    },
  );
});
