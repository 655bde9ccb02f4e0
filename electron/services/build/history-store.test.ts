import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../shared/api/build';
import { runCliCaptured } from '../../../test/support/cli';
import { buildsDir, latestBuildId, listBuilds, loadBuild, saveBuild } from './history-store';

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

  it('names a damaged build.json and the field instead of failing with a TypeError', async () => {
    const id = '20261127-190000-abcdef';
    await saveBuild(project, record(id, '2026-11-27T19:00:00.000Z'));
    const file = join(buildsDir(project), id, 'build.json');
    await writeFile(file, JSON.stringify({ ...record(id, 'x'), variants: 'oops' }));
    await expect(loadBuild(project, id)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /build record .*build\.json is damaged \(variants: expected array/,
      ) as unknown,
    });
    const cli = await runCliCaptured(['compare', id, '--project', project]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('is damaged');
    expect(cli.stderr).not.toContain('is not a function');
    await writeFile(file, '{"id": ');
    await expect(loadBuild(project, id)).rejects.toThrow(/damaged \(it is not JSON\)/);
    // The list leaves the damaged build out instead of failing.
    expect(await listBuilds(project)).toEqual([]);
  });

  it('lists the builds with condense compare --list, the command a bad build id points to', async () => {
    await saveBuild(project, record('20261127-190000-abcdef', '2026-11-27T19:00:00.000Z'));
    const bad = await runCliCaptured(['compare', 'nope', '--project', project]);
    expect(bad.stderr).toContain('condense compare --list');
    const listed = await runCliCaptured(['compare', '--list', '--project', project]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('20261127-190000-abcdef');
  });
});
