import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiHandlers } from '../../../shared/api/contract';
import type { JobEvent } from '../../../shared/api/jobs';
import type { SavingsReport } from '../../../shared/api/recipe';
import {
  createMemoryTransportPair,
  createTransportClient,
  serveTransport,
} from '../../../shared/api/rpc';
import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import type { ServedChannel } from '../../../test/support/channels';
import { serveSyntheticChannel } from '../../../test/support/channels';
import { JobManager } from '../jobs/job-manager';
import { createRecipeHandlers } from './handlers';
import { syntheticLock } from './synthetic-lock.fixture';

let root: string;
let project: string;
let channel: ServedChannel;
let jobs: JobManager;
let client: ReturnType<typeof createTransportClient>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-recipe-handlers-'));
  project = join(root, 'project');
  await mkdir(project);
  channel = await serveSyntheticChannel();
  await writeFile(join(project, 'environment.yml'), 'name: svc # keep\ndependencies: [numpy]\n');
  await writeFile(
    join(project, 'conda-linux-64.lock'),
    (await syntheticLock(channel.dir, channel.url)).text,
  );
  await writeFile(join(project, 'condense.yml'), '# my recipe\nversion: 1\n');
  jobs = new JobManager();
  const handlers = createRecipeHandlers({ jobs, cacheRoot: join(root, 'cache') });
  // Real client and server code over the in-memory pair: everything crosses as JSON.
  const [serverSide, clientSide] = createMemoryTransportPair();
  const served = serveTransport(serverSide, handlers as unknown as ApiHandlers);
  jobs.onEvent((event) => served.emit(event));
  client = createTransportClient(clientSide);
});

afterAll(async () => {
  client.close();
  await jobs.shutdown();
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

describe('recipe handlers over the contract', () => {
  it('gets, saves (keeping comments) and generates', async () => {
    const state = await client.call('recipe:get', { projectDir: project });
    expect(state).toEqual({ recipe: defaultRecipe(), exists: true, issues: [] });
    const saved = await client.call('recipe:save', {
      projectDir: project,
      recipe: { ...state.recipe, prune: defaultPrune('expert'), port: 9000 },
    });
    expect(saved.recipe.port).toBe(9000);
    expect(await readFile(join(project, 'condense.yml'), 'utf8')).toMatch(/^# my recipe\n/);
    const files = await client.call('recipe:generate', { projectDir: project });
    expect(files.dockerfile).toContain('EXPOSE 9000');
    expect(files.classicDockerfile).toContain('conda clean -afy');
    expect(files.variants).toEqual([expect.objectContaining({ id: 'default', target: 'runtime' })]);
    expect(files.variants[0]!.rules).toContain('libpython');
  });

  it('refuses invalid input with the field named', async () => {
    await expect(
      client.call('recipe:save', {
        projectDir: project,
        recipe: { ...defaultRecipe(), user: 'root; id' },
      }),
    ).rejects.toThrow(/user:/);
    await expect(client.call('recipe:get', { projectDir: 'relative/dir' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      client.call('recipe:export', { projectDir: project, dir: 'not/absolute' }),
    ).rejects.toThrow(/export folder/);
  });

  it('lists the catalog and its presets', async () => {
    const catalog = await client.call('recipe:catalog', {});
    expect(catalog.rules.length).toBeGreaterThanOrEqual(20);
    for (const id of [...catalog.presets.safe, ...catalog.presets.expert])
      expect(catalog.rules.map((r) => r.id)).toContain(id);
  });

  it('runs the savings analysis as a job with progress and a JSON report', async () => {
    const events: JobEvent[] = [];
    const finished = new Promise<JobEvent>((resolve) => {
      client.onJobEvent((event) => {
        events.push(event);
        if (['done', 'failed', 'cancelled'].includes(event.kind)) resolve(event);
      });
    });
    const { jobId } = await client.call('recipe:analyze', { projectDir: project });
    const last = await finished;
    expect(last).toMatchObject({ jobId, kind: 'done', job: 'analyze' });
    const report = last.data as SavingsReport;
    expect(report.selections[0]!.bytes).toBeGreaterThan(0);
    expect(report.rules.find((r) => r.ruleId === 'uvloop-sources')!.selected).toBe(true);
    expect(events.some((e) => e.kind === 'progress')).toBe(true);
  });

  it('exports into a folder, then refuses to overwrite', async () => {
    const out = join(root, 'export');
    const result = await client.call('recipe:export', { projectDir: project, dir: out });
    expect(result.files).toContain('Dockerfile');
    await expect(
      client.call('recipe:export', { projectDir: project, dir: out }),
    ).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });
});
