import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ServedChannel, serveSyntheticChannel } from '../../../test/support/channels';
import { runCliCaptured as cli } from '../../../test/support/cli';
import { lockStatus } from './lock-queries';

let channel: ServedChannel;
let root: string;
beforeAll(async () => {
  channel = await serveSyntheticChannel();
  root = await mkdtemp(join(tmpdir(), 'condense-lock-mismatch-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
});
afterAll(async () => {
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

describe('status compares the two lockfiles', () => {
  it('is up to date for a whole lock, and stale naming both files when they disagree', async () => {
    const dir = join(root, 'p');
    await mkdir(dir);
    await writeFile(
      join(dir, 'environment.yml'),
      `channels:\n  - ${channel.url}\ndependencies:\n  - python=3.11\n`,
    );
    expect((await cli(['lock', '--project', dir])).code).toBe(0);
    expect((await lockStatus(dir)).stale).toBe(false);
    const explicit = join(dir, 'conda-linux-64.lock');
    const lines = (await readFile(explicit, 'utf8')).trimEnd().split('\n');
    // The state a torn write left before: the explicit file from another lock.
    await writeFile(explicit, `${lines.slice(0, -1).join('\n')}\n`);
    const status = await lockStatus(dir);
    expect(status.stale).toBe(true);
    expect(status.platforms[0]!.mismatch).toBe(
      'conda-linux-64.lock and conda-lock.yml list different packages (0 only in conda-linux-64.lock, 1 only in conda-lock.yml): lock again',
    );
  });
});
