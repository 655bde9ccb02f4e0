import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
} from '../../../test/support/test-images';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { buildProject } from './build-service';
import { listBuilds, loadBuild } from './history-store';

// Nothing is tagged that has no record: the build's record is on disk before the engine starts
// (it reads as interrupted until the build ends), so a kill or a full disk mid-build never leaves
// a `<variant>-<buildId>` tag without its history entry.
const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-build-record-'));
const REPO = 'condense-test/build-record';
let engine: Engine;

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  if (hasDocker) await removeRepository(engine.docker, REPO);
});

describe.skipIf(!hasDocker)('build record', () => {
  it('exists (as interrupted) before the first build step, and is final afterwards', async () => {
    let atFirstStep: Promise<string[]> | undefined;
    const record = await buildProject(
      { engine: () => engine },
      {
        projectDir: temp,
        repository: REPO,
        smoke: { modules: [] },
        keepBuilds: 0,
        network: 'host',
      },
      {
        signal: new AbortController().signal,
        emit: (kind) => {
          if (kind === 'step' && !atFirstStep)
            atFirstStep = listBuilds(temp).then((builds) => builds.map((b) => b.id));
        },
      },
      { dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo record-${Date.now()} > /n\n` },
    );
    expect(record.state).toBe('succeeded');
    // The id was already in the history when the engine reported its first step.
    expect(await atFirstStep).toContain(record.id);
    expect((await loadBuild(temp, record.id)).variants).toHaveLength(1);
    expect((await listBuilds(temp)).map((b) => b.id)).toContain(record.id);
  }, 120_000);

  it('a build cut off after the engine started leaves a record that says so', async () => {
    const controller = new AbortController();
    let id: string | undefined;
    await buildProject(
      { engine: () => engine },
      {
        projectDir: temp,
        repository: REPO,
        smoke: { modules: [] },
        keepBuilds: 0,
        network: 'host',
      },
      {
        signal: controller.signal,
        emit: (kind) => {
          if (kind === 'step' && !id) {
            // Before the build ends, the history already has it.
            void listBuilds(temp).then((builds) => {
              id = builds[0]?.id;
              controller.abort();
            });
          }
        },
      },
      { dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN sleep 20\n` },
    ).catch(() => undefined);
    expect(id).toBeDefined();
    const record = await loadBuild(temp, id!);
    expect(record.state).toBe('cancelled');
  }, 120_000);
});
