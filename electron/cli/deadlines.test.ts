import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCliCaptured as cli } from '../../test/support/cli';
import { startSilentServer, type TestServer } from '../../test/support/hanging-servers';

// Every wait of the CLI ends: against a channel and a Docker socket that accept and never answer,
// each command stops at its (short, set through the environment) deadline with a message naming the
// other side; Ctrl-C and SIGTERM end the process and the child process groups it started.

const ROOT = join(import.meta.dirname, '../..');
let root: string;
let channel: TestServer;
let docker: TestServer;
const saved = { ...process.env };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-cli-deadlines-'));
  channel = await startSilentServer();
  docker = await startSilentServer(join(root, 'docker.sock'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
});
afterAll(async () => {
  process.env = saved;
  await channel.close();
  await docker.close();
  await rm(root, { recursive: true, force: true });
});

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

const environment = () => `channels:\n  - ${channel.url}\ndependencies:\n  - python\n`;

describe('deadlines in the CLI (in process)', () => {
  it('lock ends against a channel that never answers, naming its host and port', async () => {
    process.env.CONDENSE_CHANNEL_TIMEOUT = '0.3';
    const dir = await project('lock', { 'environment.yml': environment() });
    const result = await cli(['lock', '--project', dir]);
    delete process.env.CONDENSE_CHANNEL_TIMEOUT;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `condense lock: channel ${channel.url}.*127\\.0\\.0\\.1:${channel.port}.*no answer within 300 ms`,
      ),
    );
  });

  it('images and build end against a Docker socket that never answers', async () => {
    process.env.DOCKER_HOST = `unix://${docker.url}`;
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.3';
    const dir = await project('build', { Dockerfile: 'FROM scratch\n' });
    const images = await cli(['images', '--project', dir]);
    expect(images.code).toBe(1);
    expect(images.stderr).toMatch(
      /condense images: The Docker engine at unix:\/\/.*docker\.sock \(list images of condense\/build\) did not answer within 300 ms: .*CONDENSE_ENGINE_TIMEOUT/,
    );
    const build = await cli(['build', '--project', dir]);
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(
      /condense build: The Docker engine at unix:\/\/.*\(version and info\) did not answer within 300 ms/,
    );
    delete process.env.CONDENSE_ENGINE_TIMEOUT;
    delete process.env.DOCKER_HOST;
  });

  it('trace ends against a Docker socket that never answers, naming the engine', async () => {
    process.env.DOCKER_HOST = `unix://${docker.url}`;
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.3';
    const dir = await project('trace', { 'environment.yml': environment() });
    const trace = await cli(['trace', '--project', dir]);
    delete process.env.CONDENSE_ENGINE_TIMEOUT;
    delete process.env.DOCKER_HOST;
    expect(trace.code).toBe(1);
    expect(trace.stderr).toMatch(
      /condense trace: The Docker engine at unix:\/\/.*docker\.sock \(version and info\) did not answer within 300 ms/,
    );
  });
});

/** `condense` from the sources in a child process. */
function condense(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'electron/cli/index.ts'), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, stderr: () => stderr };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Alive and not a zombie (a container's init may never reap the orphan). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('signals end the CLI (child process)', () => {
  it('Ctrl-C stops images waiting on a hung engine: exit 130', async () => {
    const dir = await project('sigint', {});
    const before = docker.connections();
    const run = condense(['images', '--project', dir], {
      DOCKER_HOST: `unix://${docker.url}`,
      CONDENSE_ENGINE_TIMEOUT: '600',
    });
    await until(() => docker.connections() > before, 'the CLI to connect');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/interrupted, stopping/);
    expect(run.stderr()).toMatch(/condense images: Cancelled/);
  });

  it('SIGTERM stops trace waiting on a hung engine: exit 143 within seconds', async () => {
    const dir = await project('sigterm-trace', { 'environment.yml': environment() });
    const before = docker.connections();
    const run = condense(['trace', '--project', dir], {
      DOCKER_HOST: `unix://${docker.url}`,
      CONDENSE_ENGINE_TIMEOUT: '600',
    });
    await until(() => docker.connections() > before, 'the CLI to connect');
    // The engine deadline is 600 s, past the test's own: ending at all proves the signal did it.
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(run.stderr()).toMatch(/got SIGTERM, stopping/);
    expect(run.stderr()).toMatch(/condense trace: Cancelled/);
  });

  it('SIGTERM during a conda-lock lock ends the CLI and the whole conda-lock process group', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    const pidFile = join(root, 'solver.pid');
    // conda-lock stand-in that starts a "solver" child and waits for it, as conda-lock does.
    await writeFile(
      join(bin, 'conda-lock'),
      `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`,
    );
    await writeFile(join(bin, 'conda'), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, 'conda-lock'), 0o755);
    await chmod(join(bin, 'conda'), 0o755);
    const dir = await project('sigterm', { 'environment.yml': environment() });
    const run = condense(
      ['lock', '--engine', 'conda-lock', '--conda-lock', join(bin, 'conda-lock'), '--project', dir],
      {},
    );
    let solver = 0;
    await until(async () => {
      solver = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
      return solver > 0;
    }, 'the solver to start');
    expect(running(solver)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    await until(() => !running(solver), 'the solver to die');
    expect(run.stderr()).toMatch(/got SIGTERM, stopping/);
  });

  it('conda-lock without any conda fails at once, saying so', async () => {
    const bin = join(root, 'lonely');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'conda-lock'), '#!/bin/sh\nsleep 300\n');
    await chmod(join(bin, 'conda-lock'), 0o755);
    const dir = await project('noconda', { 'environment.yml': environment() });
    const env = { ...process.env };
    process.env.PATH = '/nonexistent';
    delete process.env.CONDA_EXE;
    delete process.env.MAMBA_EXE;
    const result = await cli([
      'lock',
      '--engine',
      'conda-lock',
      '--conda-lock',
      join(bin, 'conda-lock'),
      '--project',
      dir,
    ]);
    process.env = env;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /conda-lock needs conda, mamba or micromamba to solve, and none was found.*--conda PATH/,
    );
  });
});
