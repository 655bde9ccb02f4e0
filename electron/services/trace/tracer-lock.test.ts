import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { isCondenseError } from '../../../shared/api/errors';
import { defaultRecipe } from '../../../shared/recipe/model';
import { writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from '../channels/repodata-cache';
import { tracerLock } from './tracer-image';

// The tracer's lock goes into the trace image's build context (a layer of its builder stage) and
// its build log: a channel's token or password must never be in it, nor in its error messages.

let root: string;
let server: ChannelServer;
// Caches write in the background; their writes end before the folder goes.
const caches: RepodataCache[] = [];
const cache = (name: string) => {
  const made = new RepodataCache({ dir: join(root, name) });
  caches.push(made);
  return made;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-tracer-lock-'));
  const channel = join(root, 'channel', 't', 'sekrit-token');
  await writeMiniChannel(channel, [{ name: 'strace', version: '6.9', build: 'h0_0' }]);
  await mkdir(join(root, 'empty', 't', 'sekrit-token'), { recursive: true });
  await writeMiniChannel(join(root, 'empty', 't', 'sekrit-token'), []);
  server = await startChannelServer({ root });
});
afterAll(async () => {
  for (const made of caches) await made.flush();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function project(name: string, channelPath: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const url = `${server.url.replace('http://', 'http://alice:pa55word@')}/${channelPath}/t/sekrit-token`;
  await writeFile(
    join(dir, 'environment.yml'),
    `channels:\n  - ${url}\ndependencies:\n  - python\n`,
  );
  return dir;
}

describe('the tracer lock keeps channel credentials out', () => {
  it('locks strace from a token channel with public URLs only', async () => {
    const dir = await project('ok', 'channel');
    const text = await tracerLock({
      projectDir: dir,
      recipe: defaultRecipe(),
      cache: cache('cache-ok'),
    });
    expect(text).toContain(`${server.url}/channel/linux-64/strace-6.9-h0_0.conda`);
    expect(text).toContain('strace-6.9-h0_0.conda');
    expect(text).not.toMatch(/sekrit|alice|pa55word/);
  });

  it('a channel without strace says so, naming the channel without its secrets', async () => {
    const dir = await project('none', 'empty');
    const error: unknown = await tracerLock({
      projectDir: dir,
      recipe: defaultRecipe(),
      cache: cache('cache-none'),
    }).catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('PACKAGE_NOT_FOUND');
    expect((error as Error).message).toContain(`(${server.url}/empty)`);
    expect((error as Error).message).toContain('strace');
    expect((error as Error).message).not.toMatch(/sekrit|alice|pa55word/);
  });
});
