import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobEvent } from '../../../shared/api/jobs';
import type { SavingsReport } from '../../../shared/api/recipe';
import { RECIPE_MISSING_REVISION } from '../../../shared/api/recipe';
import type { Recipe } from '../../../shared/recipe/model';
import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import type { ServedChannel } from '../../../test/support/channels';
import { serveSyntheticChannel } from '../../../test/support/channels';
import { connectLoopback } from '../../../test/support/loopback';
import { syntheticLock } from '../../../test/support/synthetic-lock';
import { JobManager } from '../jobs/job-manager';
import { createRecipeHandlers } from './handlers';

let root: string;
let project: string;
let channel: ServedChannel;
let jobs: JobManager;
let client: ReturnType<typeof connectLoopback>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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
  client = connectLoopback(handlers, jobs);
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
    expect(state).toEqual({
      recipe: defaultRecipe(),
      exists: true,
      issues: [],
      revision: sha256(await readFile(join(project, 'condense.yml'))),
    });
    const saved = await client.call('recipe:save', {
      projectDir: project,
      recipe: { ...state.recipe, prune: defaultPrune('expert'), port: 9000 },
      baseRevision: state.revision,
    });
    expect(saved.recipe.port).toBe(9000);
    // The answer's revision is the file now on disk, so the next save from it is accepted.
    expect(saved.revision).toBe(sha256(await readFile(join(project, 'condense.yml'))));
    expect(saved.revision).not.toBe(state.revision);
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
        baseRevision: 'x',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'recipe.user' } });
    // An old caller without baseRevision is told what is missing instead of overwriting blindly.
    await expect(
      client.call('recipe:save', {
        projectDir: project,
        recipe: defaultRecipe(),
      } as unknown as { projectDir: string; recipe: Recipe; baseRevision: string }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/baseRevision/) as string,
    });
    await expect(client.call('recipe:get', { projectDir: 'relative/dir' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      client.call('recipe:export', { projectDir: project, dir: 'not/absolute' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'dir' } });
  });

  it('never overwrites a hand edit made since the recipe was read', async () => {
    const dir = join(root, 'hand-edit');
    await mkdir(dir);
    await writeFile(join(dir, 'environment.yml'), 'dependencies: [python]\n');
    const path = join(dir, 'condense.yml');
    await writeFile(path, '# tuned for prod\nversion: 1\nport: 8080 # the load balancer\n');
    const read = await client.call('recipe:get', { projectDir: dir });
    expect(read.recipe.port).toBe(8080);
    // The user edits the file in their editor while the app shows the old values.
    const handEdit = '# tuned for prod\nversion: 1\nport: 8181 # moved by hand\n';
    await writeFile(path, handEdit);
    const stale = client.call('recipe:save', {
      projectDir: dir,
      recipe: { ...read.recipe, user: 'app' },
      baseRevision: read.revision,
    });
    await expect(stale).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        /^condense.yml changed on disk since Condense read it: /,
      ) as string,
      details: { revision: sha256(Buffer.from(handEdit)) },
    });
    expect(await readFile(path, 'utf8')).toBe(handEdit);
    // Saving from the current revision writes, and the user's comments survive.
    const fresh = await client.call('recipe:get', { projectDir: dir });
    expect(fresh.recipe.port).toBe(8181);
    const saved = await client.call('recipe:save', {
      projectDir: dir,
      recipe: { ...fresh.recipe, user: 'app' },
      baseRevision: fresh.revision,
    });
    expect(saved.recipe).toMatchObject({ port: 8181, user: 'app' });
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^# tuned for prod\n/);
    expect(text).toContain('port: 8181 # moved by hand');
    expect(text).toMatch(/^user: app$/m);
    expect(saved.revision).toBe(sha256(Buffer.from(text)));
  });

  it('does not recreate a deleted condense.yml or replace one created meanwhile', async () => {
    const dir = join(root, 'created');
    await mkdir(dir);
    await writeFile(join(dir, 'environment.yml'), 'dependencies: [python]\n');
    const path = join(dir, 'condense.yml');
    const missing = await client.call('recipe:get', { projectDir: dir });
    expect(missing).toMatchObject({ exists: false, revision: RECIPE_MISSING_REVISION });
    await writeFile(path, 'version: 1\nport: 7000\n');
    await expect(
      client.call('recipe:save', {
        projectDir: dir,
        recipe: missing.recipe,
        baseRevision: missing.revision,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(path, 'utf8')).toBe('version: 1\nport: 7000\n');
    const read = await client.call('recipe:get', { projectDir: dir });
    await rm(path);
    await expect(
      client.call('recipe:save', {
        projectDir: dir,
        recipe: read.recipe,
        baseRevision: read.revision,
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/deleted/) as string,
    });
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
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

  it('estimates custom globs on the locked environment, matching the full analysis', async () => {
    const glob = 'lib/python3.11/site-packages/*/tests';
    const [saving] = await client.call('recipe:estimateGlobs', {
      projectDir: project,
      globs: [glob],
    });
    expect(saving).toMatchObject({ ruleId: `custom:${glob}` });
    const { jobId } = await client.call('recipe:analyze', {
      projectDir: project,
      recipe: {
        ...(await client.call('recipe:get', { projectDir: project })).recipe,
        prune: { preset: 'none', add: [], remove: [], custom: [glob] },
      },
    });
    const report = await new Promise<SavingsReport>((resolve) => {
      client.onJobEvent((event) => {
        if (event.jobId === jobId && event.kind === 'done') resolve(event.data as SavingsReport);
      });
    });
    expect(report.rules.find((r) => r.ruleId === `custom:${glob}`)?.bytes).toBe(saving!.bytes);
    await expect(
      client.call('recipe:estimateGlobs', { projectDir: project, globs: ['../etc'] }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('../etc') as string,
    });
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
