import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { MINI_RECORDS, writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from '../channels/repodata-cache';
import { lockProject } from './lock-service';

let root: string;
let channelDir: string;
let server: ChannelServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-lock-fresh-'));
  channelDir = join(root, 'channel');
  await writeMiniChannel(channelDir, MINI_RECORDS);
  // Like a plain static file server or mirror: Last-Modified only.
  server = await startChannelServer({ root: channelDir, etag: false, cacheControl: null });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const files = async (dir: string) =>
  Promise.all(['conda-linux-64.lock', 'conda-lock.yml'].map((f) => readFile(join(dir, f), 'utf8')));

describe('a repeat lock from the disk cache', () => {
  it('locks two platforms from the disk cache as from a download (noarch read once)', async () => {
    const twoDir = join(root, 'two-channel');
    const linux = MINI_RECORDS.filter((r) => (r.subdir ?? 'linux-64') === 'linux-64');
    await writeMiniChannel(
      twoDir,
      [...MINI_RECORDS, ...linux.map((r) => ({ ...r, subdir: 'linux-aarch64' }))],
      ['linux-64', 'linux-aarch64', 'noarch'],
    );
    const two = await startChannelServer({ root: twoDir, etag: false, cacheControl: null });
    onTestFinished(() => two.close());
    const dir = join(root, 'two-platforms');
    await mkdir(dir);
    await writeFile(
      join(dir, 'environment.yml'),
      `channels: [${two.url}]\nplatforms: [linux-64, linux-aarch64]\ndependencies:\n  - python=3.11\n  - numpy\n  - pip\n`,
    );
    const cacheDir = join(root, 'cache-two');
    await lockProject(
      { projectDir: dir, updateAll: true },
      {},
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    const text = (f: string) => readFile(join(dir, f), 'utf8');
    const cold = await Promise.all(
      ['conda-linux-64.lock', 'conda-linux-aarch64.lock', 'conda-lock.yml'].map(text),
    );
    const messages: string[] = [];
    await lockProject(
      { projectDir: dir, updateAll: true },
      { progress: (m) => messages.push(m) },
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    expect(messages.filter((m) => m.includes('/noarch: '))).toEqual([
      `repodata ${two.url}/noarch: cached`,
      `repodata ${two.url}/noarch: memory`,
    ]);
    expect(
      await Promise.all(
        ['conda-linux-64.lock', 'conda-linux-aarch64.lock', 'conda-lock.yml'].map(text),
      ),
    ).toEqual(cold);
  });

  it('asks nobody within the window, writes the same bytes, and sees a change on --refresh', async () => {
    const dir = join(root, 'project');
    await mkdir(dir);
    await writeFile(
      join(dir, 'environment.yml'),
      `channels: [${server.url}]\ndependencies:\n  - python=3.11\n  - numpy\n  - pip\n`,
    );
    const cacheDir = join(root, 'cache');
    // Cold: downloaded, solved from the in-memory index.
    await lockProject(
      { projectDir: dir, updateAll: true },
      {},
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    const cold = await files(dir);

    // A new process: the records come from the disk cache through its index; no request at all.
    const mark = server.requests.length;
    const messages: string[] = [];
    await lockProject(
      { projectDir: dir, updateAll: true },
      { progress: (m) => messages.push(m) },
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    expect(server.requests.length).toBe(mark);
    expect(messages).toContain(`repodata ${server.url}/linux-64: cached`);
    expect(await files(dir)).toEqual(cold);

    // Twice with the same cache object (the app left open): the records read by the first lock
    // serve the second.
    const open = new RepodataCache({ dir: cacheDir });
    for (let i = 0; i < 2; i++) {
      await lockProject({ projectDir: dir, updateAll: true }, {}, { cache: open });
      expect(await files(dir)).toEqual(cold);
    }

    // A newer numpy appears upstream: the window still holds the old copy; --refresh sees it.
    await writeMiniChannel(channelDir, [
      ...MINI_RECORDS,
      { name: 'numpy', version: '9.9.9', build: 'py311h0_0', depends: ['python >=3.11,<3.12'] },
    ]);
    const later = new Date(Date.now() + 5000);
    await utimes(join(channelDir, 'linux-64', 'repodata.json'), later, later);
    await lockProject(
      { projectDir: dir, updateAll: true },
      {},
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    expect(await files(dir)).toEqual(cold);
    const refreshed: string[] = [];
    await lockProject(
      { projectDir: dir, updateAll: true, refresh: true },
      { progress: (m) => refreshed.push(m) },
      { cache: new RepodataCache({ dir: cacheDir }) },
    );
    expect(refreshed).toContain(`repodata ${server.url}/linux-64: downloaded`);
    expect((await files(dir))[0]).toContain('/linux-64/numpy-9.9.9-py311h0_0.conda#');
  });
});
