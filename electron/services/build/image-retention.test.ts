import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildRecord, BuildStartRequest } from '../../../shared/api/build';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
} from '../../../test/support/test-images';
import { validated } from '../api-handlers';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { JobManager } from '../jobs/job-manager';
import { buildProject } from './build-service';
import { createBuildHandlers } from './handlers';
import { listBuilds } from './history-store';
import { checkKeep, listProjectImages, pruneProjectImages } from './image-retention';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-retention-'));
const REPO = 'condense-test/retention';
const ELSEWHERE = 'condense-test/retention-elsewhere:kept';
let engine: Engine;
const containers: string[] = [];

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  if (!hasDocker) return;
  for (const id of containers) {
    await engine.docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  await engine.docker
    .getImage(ELSEWHERE)
    .remove()
    .catch(() => undefined);
  await removeRepository(engine.docker, REPO);
});

const progress: string[] = [];
const job = {
  signal: new AbortController().signal,
  emit: (kind: string, data: unknown) => {
    if (kind === 'progress') progress.push((data as { message: string }).message);
  },
};

/** Each build writes a different file, so every build makes its own image. */
function build(projectDir: string, n: number, keepBuilds: number): Promise<BuildRecord> {
  const request: BuildStartRequest = {
    projectDir,
    network: 'host',
    repository: REPO,
    smoke: { modules: [] },
    keepBuilds,
  };
  return buildProject({ engine: () => engine }, request, job, {
    dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo build-${n}-${projectDir} > /n\n`,
  });
}

async function exists(ref: string): Promise<boolean> {
  return engine.docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe('keep counts', () => {
  it('defaults to 5 and refuses negative, fractional and non-number counts', () => {
    expect(checkKeep(undefined)).toBe(5);
    expect(checkKeep(0)).toBe(0);
    expect(() => checkKeep(-1)).toThrow(/whole number of builds/);
    expect(() => checkKeep(1.5, 'keepBuilds')).toThrow(/keepBuilds must be/);
    expect(() => checkKeep('3')).toThrow(/whole number/);
  });
});

describe('images handlers', () => {
  it('refuse bad input with what to give, before reaching the engine', async () => {
    const handlers = validated(
      createBuildHandlers({
        jobs: new JobManager(),
        engine: () => {
          throw new Error('the engine must not be reached');
        },
      }),
    );
    await expect(handlers['build:images']({ projectDir: 'relative' })).rejects.toThrow(
      /projectDir must be an absolute path/,
    );
    await expect(
      handlers['build:images']({ projectDir: temp, repository: 'Bad Repo' }),
    ).rejects.toThrow(/repository must be lowercase letters, digits/);
    await expect(handlers['build:pruneImages']({ projectDir: temp, keep: -2 })).rejects.toThrow(
      /keep must be 0 or more/,
    );
  });
});

describe.runIf(hasDocker)('image retention on the real engine', () => {
  it('keeps only the newest N builds, the latest tag, images tagged elsewhere and in use', async () => {
    const keep = 2;
    const project = join(temp, 'retained');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project);
    const records: BuildRecord[] = [];
    // Four builds without retention, then the fifth and sixth with it (N+2 past the kept N).
    for (let n = 0; n < 4; n++) records.push(await build(project, n, 0));
    // Build 0's image also carries a tag of another repository; build 1's is used by a container.
    const image0 = records[0]!.variants[0]!.imageId!;
    const [otherRepo, otherTag] = ELSEWHERE.split(':') as [string, string];
    await engine.docker.getImage(image0).tag({ repo: otherRepo, tag: otherTag });
    const container = await engine.docker.createContainer({
      Image: `${REPO}:default-${records[1]!.id}`,
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'host' },
    });
    containers.push(container.id);
    // Retention now runs after each of the two new builds.
    records.push(await build(project, 4, keep));
    records.push(await build(project, 5, keep));

    const tags = (await listProjectImages(engine, REPO)).map((i) => i.tag);
    const newest = records.slice(-keep).map((r) => `${REPO}:default-${r.id}`);
    for (const tag of newest) expect(tags).toContain(tag);
    expect(tags).toContain(`${REPO}:default`);
    // The latest tag points at the last build's image.
    expect((await engine.docker.getImage(`${REPO}:default`).inspect()).Id).toBe(
      records[5]!.variants[0]!.imageId,
    );
    for (const r of [records[0]!, records[2]!, records[3]!]) {
      expect(tags).not.toContain(`${REPO}:default-${r.id}`);
    }
    // The image tagged elsewhere lost only our tag; the container's image kept its tag.
    expect(await exists(image0)).toBe(true);
    expect(await exists(ELSEWHERE)).toBe(true);
    expect(tags).toContain(`${REPO}:default-${records[1]!.id}`);
    // Dangling images without another reference went with their tag.
    expect(await exists(records[2]!.variants[0]!.imageId!)).toBe(false);

    const history = await listBuilds(project);
    const removed = new Map(history.map((b) => [b.id, Boolean(b.imagesRemoved)]));
    expect(records.map((r) => removed.get(r.id))).toEqual([true, false, true, true, false, false]);
    // Sizes stay readable in the history.
    expect(history.find((b) => b.id === records[0]!.id)!.variants[0]!.sizeBytes).toBeGreaterThan(0);
    expect(progress.some((m) => /Kept .*in use by a container/.test(m))).toBe(true);

    // With the container gone, a prune removes build 1's tag and marks it.
    await engine.docker.getContainer(container.id).remove({ force: true });
    const pruned = await pruneProjectImages(engine, {
      projectDir: project,
      repository: REPO,
      keep,
    });
    expect(pruned.removed).toEqual([`${REPO}:default-${records[1]!.id}`]);
    expect(pruned.kept).toEqual([]);
    expect(pruned.buildsMarked).toEqual([records[1]!.id]);
  }, 180_000);

  it('keeps everything with keepBuilds 0 and never touches tags of builds not in this history', async () => {
    const project = join(temp, 'other');
    mkdirSync(project, { recursive: true });
    const before = (await listProjectImages(engine, REPO)).map((i) => i.tag);
    // A project with no history prunes nothing in a repository another project's builds fill.
    const pruned = await pruneProjectImages(engine, {
      projectDir: project,
      repository: REPO,
      keep: 1,
    });
    expect(pruned.removed).toEqual([]);
    expect((await listProjectImages(engine, REPO)).map((i) => i.tag)).toEqual(before);
  });
});
