import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import type { JobEvent } from '../../../shared/api/jobs';
import type { LockResult } from '../../../shared/api/lock';
import { connectLoopback } from '../../../test/support/loopback';
import { MINI_RECORDS, writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from '../channels/repodata-cache';
import { JobManager } from '../jobs/job-manager';
import { createLockHandlers } from './handlers';

let root: string;
let server: ChannelServer;
let jobs: JobManager;
let client: ReturnType<typeof connectLoopback>;
let dir: string;

const ENV = `# service environment
name: svc
channels:
  - CHANNEL # local channel
dependencies:
  - python=3.11 # runtime
  - numpy
`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-lock-handlers-'));
  await writeMiniChannel(join(root, 'channel'), MINI_RECORDS);
  server = await startChannelServer({ root: join(root, 'channel') });
  dir = join(root, 'project');
  await mkdir(dir);
  await writeFile(join(dir, 'environment.yml'), ENV.replace('CHANNEL', server.url));
  jobs = new JobManager();
  const handlers = createLockHandlers({
    jobs,
    cache: new RepodataCache({ dir: join(root, 'cache') }),
  });
  client = connectLoopback(handlers, jobs);
});
afterAll(async () => {
  client.close();
  await jobs.shutdown();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function runLockJob(request: Parameters<typeof client.call<'lock:start'>>[1]) {
  const events: JobEvent[] = [];
  const finished = new Promise<JobEvent>((resolve) => {
    client.onJobEvent((event) => {
      events.push(event);
      if (['done', 'failed', 'cancelled'].includes(event.kind)) resolve(event);
    });
  });
  const { jobId } = await client.call('lock:start', request);
  const last = await finished;
  return { jobId, last, events: events.filter((e) => e.jobId === jobId) };
}

describe('lock handlers over the contract', () => {
  it('lock:start runs a job with progress events and a plain-JSON result', async () => {
    expect((await client.call('lock:status', { projectDir: dir })).locked).toBe(false);
    const { last, events } = await runLockJob({ projectDir: dir });
    expect(last.kind).toBe('done');
    const progress = events
      .filter((e) => e.kind === 'progress')
      .map((e) => (e.data as { message: string }).message);
    expect(progress[0]).toBe('locking linux-64');
    expect(progress).toContain('lock written');
    const result = last.data as LockResult;
    expect(result.files).toEqual([join(dir, 'conda-linux-64.lock'), join(dir, 'conda-lock.yml')]);
    expect(result.platforms[0]!.packages).toBeGreaterThan(5);

    const status = await client.call('lock:status', { projectDir: dir });
    expect(status).toMatchObject({ locked: true, stale: false });
    const read = await client.call('lock:read', { projectDir: dir });
    const numpy = read.packages.find((p) => p.name === 'numpy')!;
    expect(typeof numpy.buildNumber).toBe('number');
  });

  it('lock:start failures arrive as a failed event with the code', async () => {
    const bad = join(root, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(
      join(bad, 'environment.yml'),
      `channels: [${server.url}]\ndependencies: [nosuchpkg]\n`,
    );
    const { last } = await runLockJob({ projectDir: bad });
    expect(last.kind).toBe('failed');
    expect(last.data).toMatchObject({ code: 'PACKAGE_NOT_FOUND' });
  });

  it('environment:update keeps comments, marks the lock stale; lock:diff shows the change', async () => {
    await writeFile(join(dir, 'before.yml'), await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    const updated = await client.call('environment:update', {
      projectDir: dir,
      edits: [{ setDependency: 'python=3.12' }],
    });
    expect(updated.text).toContain('# service environment');
    expect(updated.text).toContain('- python=3.12 # runtime');
    expect(updated.spec.dependencies.map((d) => d.raw)).toEqual(['python=3.12', 'numpy']);
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).toBe(updated.text);
    expect((await client.call('lock:status', { projectDir: dir })).stale).toBe(true);

    const { last } = await runLockJob({ projectDir: dir });
    expect(last.kind).toBe('done');
    const diff = await client.call('lock:diff', { projectDir: dir, before: 'before.yml' });
    const python = diff.changed.find((c) => c.name === 'python')!;
    expect(python.from.version).toBe('3.11.9');
    expect(python.to.version).toBe('3.12.4');
    expect(diff.changed.map((c) => c.name)).toContain('numpy');
  });

  it('environment:read, channels:search', async () => {
    const read = await client.call('environment:read', { projectDir: dir });
    expect(read.spec.channels).toEqual([server.url]);
    const { results: found, unreachable } = await client.call('channels:search', {
      projectDir: dir,
      query: 'py',
    });
    expect(unreachable).toEqual([]);
    // prefix matches first, then other names containing the text
    expect(found.map((r) => r.name)).toEqual(['python', 'python_abi', 'numpy']);
    expect(found[0]!.versions).toEqual(['3.12.4', '3.11.9']);
    expect(found[0]!.builds).toEqual([
      { build: 'h194c7f8_0_cpython', subdir: 'linux-64', channel: server.url },
    ]);
  });

  it('environment:update writes nothing for a no-op and refuses a stale baseRevision; environment:effective', async () => {
    const read = await client.call('environment:read', { projectDir: dir });
    const same = await client.call('environment:update', {
      projectDir: dir,
      edits: [{ setDependency: 'numpy' }],
      baseRevision: read.revision,
    });
    expect(same).toMatchObject({ changed: false, revision: read.revision, text: read.text });
    await writeFile(join(dir, 'environment.yml'), `${read.text}  - clang  # [osx]\n`);
    await expect(
      client.call('environment:update', {
        projectDir: dir,
        edits: [{ setDependency: 'six' }],
        baseRevision: read.revision,
      }),
    ).rejects.toThrow(/changed on disk since Condense read it/);
    const linux = await client.call('environment:effective', { projectDir: dir });
    const osx = await client.call('environment:effective', {
      projectDir: dir,
      platform: 'osx-arm64',
    });
    expect(linux.conda.map((d) => d.name)).not.toContain('clang');
    expect(osx.conda.map((d) => d.name)).toContain('clang');
    await expect(
      client.call('environment:effective', { projectDir: dir, platform: '../etc' }),
    ).rejects.toThrow(/unknown platform "\.\.\/etc"/);
    await writeFile(join(dir, 'environment.yml'), read.text);
  });

  it('channels:search shows the reachable channels and names the one that failed', async () => {
    // A port nobody listens on: bound, then closed.
    const { createServer } = await import('node:net');
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const dead = `http://127.0.0.1:${closed}/gone`;
    const { results, unreachable } = await client.call('channels:search', {
      channels: [dead, server.url],
      query: 'python',
    });
    expect(results.map((r) => r.name)).toContain('python');
    expect(unreachable.map((u) => u.channel)).toEqual([dead]);
    expect(unreachable[0]!.message).toMatch(/\S/);
    await expect(
      client.call('channels:search', { channels: [dead], query: 'python' }),
    ).rejects.toThrow();
  });

  it('cancelling a lock job stops it before it writes anything', async () => {
    const other = join(root, 'cancelled');
    await mkdir(other, { recursive: true });
    await writeFile(
      join(other, 'environment.yml'),
      `channels: [${server.url}]\ndependencies: [numpy]\n`,
    );
    const events: JobEvent[] = [];
    client.onJobEvent((event) => events.push(event));
    const { jobId } = await client.call('lock:start', { projectDir: other });
    expect(jobs.cancel(jobId)).toBe(true);
    await expect
      .poll(() => events.find((e) => e.jobId === jobId && e.kind === 'cancelled'))
      .toBeDefined();
    await expect(readFile(join(other, 'conda-lock.yml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('validates requests from the renderer', async () => {
    await expect(client.call('lock:status', { projectDir: 'relative/path' })).rejects.toThrow(
      /projectDir must be an absolute path/,
    );
    await expect(
      client.call('lock:start', { projectDir: dir, engine: 'pixi' as 'builtin' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'engine' } });
    await expect(
      client.call('lock:diff', { projectDir: dir, before: '../../etc/passwd' }),
    ).rejects.toThrow(/outside the project folder/);
    await expect(
      client.call('environment:update', {
        projectDir: dir,
        edits: [{ setDependency: 'bad$name' }],
      }),
    ).rejects.toThrow(/invalid character/);
  });
});
