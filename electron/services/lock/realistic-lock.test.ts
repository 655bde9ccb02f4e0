import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { type ServedChannel, serveRealisticChannel } from '../../../test/support/channels';
import { RepodataCache } from '../channels/repodata-cache';
import { lockProject } from './lock-service';

// The realistic channel (real Debian binaries repacked as conda packages) is built by
// `npm run fixtures`; without it this file skips (or fails under CONDENSE_REQUIRE_DOCKER=1).
let channel: ServedChannel | undefined;
let root: string;

beforeAll(async () => {
  channel = await serveRealisticChannel();
  root = await mkdtemp(join(tmpdir(), 'condense-realistic-lock-'));
});
afterAll(async () => {
  await channel?.close();
  await rm(root, { recursive: true, force: true });
});

describe('lock on the realistic channel', () => {
  it('locks python 3.11 and numpy; every URL downloads with its md5', async (context) => {
    if (!channel) return context.skip();
    await writeFile(
      join(root, 'environment.yml'),
      `channels: [${channel.url}]\ndependencies:\n  - python=3.11\n  - numpy\n`,
    );
    const result = await lockProject(
      { projectDir: root },
      {},
      { cache: new RepodataCache({ dir: join(root, 'cache') }) },
    );
    expect(result.platforms[0]!.packages).toBeGreaterThan(2);
    const lock = parseExplicitLockfile(await readFile(join(root, 'conda-linux-64.lock'), 'utf8'));
    const names = lock.packages.map((p) => p.name);
    expect(names).toContain('numpy');
    expect(lock.packages.find((p) => p.name === 'python')!.version).toMatch(/^3\.11/);
    for (const p of lock.packages) {
      const bytes = Buffer.from(await (await fetch(p.url)).arrayBuffer());
      expect(createHash('md5').update(bytes).digest('hex'), p.url).toBe(p.md5);
    }
  });
});
