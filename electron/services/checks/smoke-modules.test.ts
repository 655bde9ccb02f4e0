import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ServedChannel } from '../../../test/support/channels';
import { serveRealisticChannel } from '../../../test/support/channels';
import { lockRealisticProject } from '../recipe/realistic-project.fixture';
import { planSmoke } from './smoke-modules';

let work: string;
let channel: ServedChannel | undefined;
let project: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'condense-smoke-modules-'));
  channel = await serveRealisticChannel();
  if (!channel) return;
  project = join(work, 'project');
  await lockRealisticProject(project, channel.url, join(work, 'cache'));
  await writeFile(join(project, 'condense.yml'), 'version: 1\n');
});

afterAll(async () => {
  await channel?.close();
  await rm(work, { recursive: true, force: true });
});

describe('planSmoke', () => {
  it("imports the lock's top-level modules when the request names none", async () => {
    if (!channel) return;
    const cacheRoot = join(work, 'cache');
    const plan = await planSmoke(undefined, { projectDir: project, cacheRoot });
    // The realistic lock: numpy, click and uvloop import; pip/setuptools/wheel are tools, and
    // python's own files are not in site-packages.
    expect(plan.spec?.modules).toEqual(['click', 'numpy', 'uvloop']);
    expect(plan.skipped).toBeUndefined();
    // The user's command is kept and the modules added; the second run reads the file-list cache.
    const served = channel.requests.length;
    const withCommand = await planSmoke(
      { command: ['/env/bin/python', '-V'] },
      { projectDir: project, cacheRoot },
    );
    expect(withCommand.spec).toEqual({
      command: ['/env/bin/python', '-V'],
      modules: ['click', 'numpy', 'uvloop'],
    });
    expect(channel.requests.length).toBe(served);
  });

  it('keeps explicit modules, and an empty list means no import check', async () => {
    const projectDir = join(work, 'nothing-read');
    expect(await planSmoke({ modules: ['numpy'] }, { projectDir })).toEqual({
      spec: { modules: ['numpy'] },
    });
    expect(await planSmoke({ modules: [] }, { projectDir })).toEqual({});
  });

  it('says why it skips: no recipe, or a lock that cannot be read', async () => {
    const bare = join(work, 'bare');
    await mkdir(bare, { recursive: true });
    const none = await planSmoke(undefined, { projectDir: bare });
    expect(none.spec).toBeUndefined();
    expect(none.skipped).toMatch(/no condense.yml.*--module/);
    await writeFile(join(bare, 'condense.yml'), 'version: 1\n');
    const unlocked = await planSmoke(undefined, { projectDir: bare, cacheRoot: join(work, 'c2') });
    expect(unlocked.spec).toBeUndefined();
    expect(unlocked.skipped).toMatch(/could not read the locked packages.*lock the environment/);
  });
});
