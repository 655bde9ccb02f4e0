import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../shared/api/build';
import { latestBuildId, listBuilds, saveBuild } from './history-store';

function record(id: string, startedAt: string): BuildRecord {
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1,
    state: 'succeeded',
    builder: 'buildkit',
    engine: {
      host: 'unix:///x.sock',
      context: 'default',
      version: '20.10',
      architecture: 'x86_64',
    },
    dockerfileSha256: 'a'.repeat(64),
    variants: [],
  };
}

describe('build history order', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(join(tmpdir(), 'condense-history-'));
  });
  afterEach(() => rm(project, { recursive: true, force: true }));

  it('puts the newest build first even when two ids share the same second', async () => {
    // The random suffix of the later build sorts before the earlier one's.
    await saveBuild(project, record('20261127-190000-ffffff', '2026-11-27T19:00:00.100Z'));
    await saveBuild(project, record('20261127-190000-000000', '2026-11-27T19:00:00.900Z'));
    await saveBuild(project, record('20261127-185959-abcdef', '2026-11-27T18:59:59.999Z'));
    expect((await listBuilds(project)).map((b) => b.id)).toEqual([
      '20261127-190000-000000',
      '20261127-190000-ffffff',
      '20261127-185959-abcdef',
    ]);
    expect(await latestBuildId(project)).toBe('20261127-190000-000000');
  });

  it('says to build first when there is no history', async () => {
    await expect(latestBuildId(project)).rejects.toThrow(/run condense build first/);
  });
});
