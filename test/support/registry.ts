import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Requirement } from './requirements';

/** Debian's `docker-registry` (distribution) with htpasswd (apache2-utils) and openssl. */
export function registryRequirement(): Requirement {
  const missing = ['/usr/bin/docker-registry', '/usr/bin/htpasswd', '/usr/bin/openssl'].filter(
    (p) => !existsSync(p),
  );
  return missing.length === 0
    ? { ok: true, reason: '' }
    : {
        ok: false,
        reason: `${missing.join(', ')} missing (apt-get install docker-registry apache2-utils openssl)`,
      };
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  user: string;
  password: string;
  /** The test CA, in PEM. */
  ca: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A real registry on loopback with basic auth over TLS, its certificate signed by a CA made for the
 * test. With `trustDir` the CA is put where Docker looks for a registry's trust (`certs.d/<host>`).
 */
export async function startRegistry(options: { trustDir?: string } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'condense-registry-'));
  const sh = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: dir, stdio: 'pipe' });
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Condense test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  ]);
  sh('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  sh('openssl', [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.crt',
  ]);
  const user = 'ci';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await writeFile(join(dir, 'htpasswd'), sh('htpasswd', ['-Bbn', user, password]));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "${host}", tls: {certificate: ${join(dir, 'server.crt')}, key: ${join(dir, 'server.key')}}}`,
      `auth: {htpasswd: {realm: condense-test, path: ${join(dir, 'htpasswd')}}}`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: 'ignore',
  });
  const ca = execFileSync('cat', [join(dir, 'ca.crt')], { encoding: 'utf8' });
  let trusted: string | undefined;
  if (options.trustDir) {
    trusted = join(options.trustDir, host);
    await mkdir(trusted, { recursive: true });
    await writeFile(join(trusted, 'ca.crt'), ca);
  }
  // Up when /v2/ answers (401 without credentials). No count of tries: on a loaded machine the
  // registry may take longer than any fixed number of them; a registry that gives up has exited, and
  // a hang is bounded by the caller's hook timeout.
  for (;;) {
    try {
      execFileSync(
        'curl',
        ['-s', '-o', '/dev/null', '--cacert', join(dir, 'ca.crt'), `https://${host}/v2/`],
        { timeout: 5000 },
      );
      break;
    } catch {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `docker-registry ended (${child.exitCode ?? child.signalCode}) before answering on ${host}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    host,
    user,
    password,
    ca,
    async close() {
      child.kill();
      if (trusted) await rm(trusted, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
