// DOCKER_HOST=ssh://user@host against the real engine: a private sshd on 127.0.0.1 (key login only)
// whose sessions see DOCKER_HOST of the test engine, so `docker system dial-stdio` reaches it.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isCondenseError } from '../../../shared/api/errors';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { ensureTestImages, TEST_BASE_IMAGE } from '../../../test/support/test-images';
import { createBuildContext } from '../build/build-context';
import { runBuild } from '../build/run-build';
import { connectEngine, engineInfo } from './engine';

const SSHD = '/usr/sbin/sshd';
const ready =
  available('Docker', dockerRequirement()) &&
  available('sshd', {
    ok: existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen'),
    reason: `no ${SSHD} (apt-get install openssh-server)`,
  });
const temp = mkdtempSync(join(tmpdir(), 'condense-ssh-'));
let sshd: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

beforeAll(async () => {
  if (!ready) return;
  const home = join(temp, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(temp, 'host_key')]);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    join(home, '.ssh', 'id_ed25519'),
  ]);
  writeFileSync(join(temp, 'authorized_keys'), readFileSync(join(home, '.ssh', 'id_ed25519.pub')));
  port = await freePort();
  const hostKey = readFileSync(join(temp, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  writeFileSync(
    join(temp, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(temp, 'host_key')}`,
      `AuthorizedKeysFile ${join(temp, 'authorized_keys')}`,
      `PidFile ${join(temp, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `SetEnv DOCKER_HOST=${dockerHost()}`,
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation folder.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-e', '-f', join(temp, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  sshd = child;
  let log = '';
  let ended: string | undefined;
  child.stderr
    .setEncoding('utf8')
    .on('data', (chunk: string) => (log = (log + chunk).slice(-2000)));
  child.once('exit', (code, signal) => (ended = `exit ${code ?? signal}`));
  // Wait for the listener, or for sshd to give up; no clock (the hook's timeout bounds a hang).
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (ended)
      throw new Error(`sshd ended (${ended}) before listening on 127.0.0.1:${port}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(() => {
  sshd?.kill();
  rmSync(temp, { recursive: true, force: true });
});

describe.runIf(ready)('engines over ssh', () => {
  const user = () => execFileSync('id', ['-un']).toString().trim();

  it('reaches the engine with DOCKER_HOST=ssh://user@host:port and the default key file', async () => {
    const engine = connectEngine({
      env: { DOCKER_HOST: `ssh://${user()}@127.0.0.1:${port}` },
      dockerConfigDir: temp,
      homeDir: join(temp, 'home'),
    });
    expect(engine.target.host).toBe(`ssh://${user()}@127.0.0.1:${port}`);
    const info = await engineInfo(engine);
    expect(info.version).toMatch(/^\d+\./);
    expect(info.buildkit).toBe(true);
  });

  it('refuses a host whose key is not in known_hosts, and a key the server does not accept', async () => {
    const stranger = join(temp, 'stranger');
    mkdirSync(join(stranger, '.ssh'), { recursive: true });
    writeFileSync(
      join(stranger, '.ssh', 'id_ed25519'),
      readFileSync(join(temp, 'home/.ssh/id_ed25519')),
    );
    const env = { DOCKER_HOST: `ssh://${user()}@127.0.0.1:${port}` };
    const unknownHost = await engineInfo(
      connectEngine({ env, dockerConfigDir: temp, homeDir: stranger }),
    ).catch((e: unknown) => e);
    expect(isCondenseError(unknownHost, 'UNAUTHORIZED')).toBe(true);
    expect((unknownHost as Error).message).toMatch(/known_hosts/);

    const wrongKey = join(temp, 'wrong');
    mkdirSync(join(wrongKey, '.ssh'), { recursive: true });
    writeFileSync(
      join(wrongKey, '.ssh', 'known_hosts'),
      readFileSync(join(temp, 'home/.ssh/known_hosts')),
    );
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-f',
      join(wrongKey, '.ssh', 'id_ed25519'),
    ]);
    const refused = await engineInfo(
      connectEngine({ env, dockerConfigDir: temp, homeDir: wrongKey }),
    ).catch((e: unknown) => e);
    expect(isCondenseError(refused, 'UNAUTHORIZED')).toBe(true);
    expect((refused as Error).message).toMatch(/ssh login/);
  });

  it('runs a BuildKit build over ssh with live logs', async () => {
    const engine = connectEngine({
      env: { DOCKER_HOST: `ssh://${user()}@127.0.0.1:${port}` },
      dockerConfigDir: temp,
      homeDir: join(temp, 'home'),
    });
    await ensureTestImages(connectEngine({ env: { DOCKER_HOST: dockerHost() } }).docker);
    const marker = `over-ssh-${Date.now()}`;
    const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo ${marker}\n`;
    const context = await createBuildContext({ projectDir: temp, dockerfile });
    const lines: string[] = [];
    const result = await runBuild({
      network: 'host',
      engine,
      context: context.stream,
      dockerfile,
      builder: 'buildkit',
      onLog: (line) => lines.push(line.text),
    });
    expect(result.imageId).toMatch(/^sha256:/);
    expect(lines).toContain(marker);
  });
});
