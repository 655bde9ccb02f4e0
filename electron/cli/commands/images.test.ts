import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildRecord, ImagePruneResult, ProjectImage } from '../../../shared/api/build';
import { runCliCaptured as cli } from '../../../test/support/cli';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import {
  ensureTestImages,
  removeRepository,
  TEST_BASE_IMAGE,
} from '../../../test/support/test-images';
import { buildProject } from '../../services/build/build-service';
import { listBuilds } from '../../services/build/history-store';
import type { Engine } from '../../services/docker/engine';
import { connectEngine } from '../../services/docker/engine';
import { imagesText, parseKeep } from './images';

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-cli-images-'));
const REPO = 'condense-test/cli-images';
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

describe('images option parsing and table', () => {
  it('reads --keep as a whole number and says what to give otherwise', () => {
    expect(parseKeep(undefined)).toBeUndefined();
    expect(parseKeep('3')).toBe(3);
    expect(() => parseKeep('-1')).toThrow(/--keep must be a whole number.*not "-1"/);
    expect(() => parseKeep('two')).toThrow(/--keep 5/);
    expect(() => parseKeep('1.5', '--keep-builds')).toThrow(/--keep-builds must be a whole number/);
  });

  it('refuses a repository the contract refuses, naming the field, before asking the engine', async () => {
    const dir = join(temp, 'bad-repository');
    mkdirSync(dir, { recursive: true });
    for (const args of [['images'], ['images', '--prune']]) {
      const result = await cli([...args, '--repository', 'Bad Repo', '--project', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^condense images: Invalid build:(images|pruneImages) request: repository .*\n$/,
      );
    }
  });

  it('prints tag, build, size and time, the latest tags marked', () => {
    const text = imagesText([
      {
        tag: 'r/p:default',
        variant: 'default',
        imageId: 'sha256:a',
        sizeBytes: 2.5 * 1024 * 1024,
        created: '2026-11-27T19:00:00.000Z',
      },
      {
        tag: 'r/p:default-20261127-190000-abcdef',
        buildId: '20261127-190000-abcdef',
        variant: 'default',
        imageId: 'sha256:a',
        sizeBytes: 2.5 * 1024 * 1024,
        created: '2026-11-27T19:00:00.000Z',
      },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^TAG\s+BUILD\s+SIZE\s+CREATED$/);
    expect(lines[1]).toMatch(/^r\/p:default\s+\(latest\)\s+2\.50 MiB\s+2026-11-27 19:00:00$/);
    expect(lines[2]).toContain('20261127-190000-abcdef');
    expect(imagesText([])).toMatch(/No images/);
  });
});

describe.runIf(hasDocker)('condense images on the real engine', () => {
  it('lists the project images, prunes to --keep N with progress on stderr', async () => {
    const project = join(temp, 'proj');
    mkdirSync(project);
    const records: BuildRecord[] = [];
    for (let n = 0; n < 3; n++) {
      records.push(
        await buildProject(
          { engine: () => engine },
          {
            projectDir: project,
            network: 'host',
            repository: REPO,
            smoke: { modules: [] },
            keepBuilds: 0,
          },
          { signal: new AbortController().signal, emit: () => undefined },
          { dockerfile: `FROM ${TEST_BASE_IMAGE}\nRUN echo cli-${n}-${project} > /n\n` },
        ),
      );
    }
    const listed = await cli(['images', '-C', project, '--repository', REPO, '--json']);
    expect(listed.code).toBe(0);
    const images = JSON.parse(listed.stdout) as ProjectImage[];
    expect(
      images
        .filter((i) => i.buildId)
        .map((i) => i.buildId)
        .sort(),
    ).toEqual(records.map((r) => r.id).sort());
    expect(images.find((i) => i.tag === `${REPO}:default`)?.imageId).toBe(
      records[2]!.variants[0]!.imageId,
    );

    const table = await cli(['images', '-C', project, '--repository', REPO]);
    expect(table.stdout).toContain(`${REPO}:default-${records[0]!.id}`);

    const misuse = await cli(['images', '-C', project, '--keep', '1']);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/--keep goes with --prune/);

    const pruned = await cli([
      'images',
      '-C',
      project,
      '--repository',
      REPO,
      '--prune',
      '--keep',
      '1',
      '--json',
    ]);
    expect(pruned.code).toBe(0);
    const result = JSON.parse(pruned.stdout) as ImagePruneResult;
    expect(result.removed.sort()).toEqual(
      [records[0]!, records[1]!].map((r) => `${REPO}:default-${r.id}`).sort(),
    );
    expect(pruned.stderr).toMatch(/Removing .*default-/);
    expect(pruned.stderr).toMatch(/Removed 2 tag\(s\); 2 build\(s\) marked/);
    const after = await cli(['images', '-C', project, '--repository', REPO, '--json']);
    expect((JSON.parse(after.stdout) as ProjectImage[]).map((i) => i.tag).sort()).toEqual(
      [`${REPO}:default`, `${REPO}:default-${records[2]!.id}`].sort(),
    );
    const history = await listBuilds(project);
    expect(
      history
        .filter((b) => b.imagesRemoved)
        .map((b) => b.id)
        .sort(),
    ).toEqual([records[0]!.id, records[1]!.id].sort());

    // compare still shows the removed build's size, and says its image is gone.
    const compared = await cli(['compare', '-C', project, records[0]!.id, records[2]!.id]);
    const lines = compared.stdout.split('\n');
    expect(lines.find((l) => l.startsWith(records[0]!.id))).toMatch(
      /succeeded, image removed\s+\S+ \S*B/,
    );
    expect(lines.find((l) => l.startsWith(records[2]!.id))).not.toMatch(/image removed/);

    // condense build --keep-builds 1: the build before it loses its tag once the new one succeeded.
    writeFileSync(
      join(project, 'Dockerfile'),
      `FROM ${TEST_BASE_IMAGE}\nRUN echo cli-3-${project} > /n\n`,
    );
    const bad = await cli(['build', '-C', project, '--keep-builds', 'all']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--keep-builds must be a whole number of builds/);
    const built = await cli([
      'build',
      '--network',
      'host',
      '-C',
      project,
      '--repository',
      REPO,
      '--no-imports',
      '--keep-builds',
      '1',
      '--progress',
      'none',
      '--json',
    ]);
    expect(built.code).toBe(0);
    const latest = JSON.parse(built.stdout) as BuildRecord;
    const final = await cli(['images', '-C', project, '--repository', REPO, '--json']);
    expect((JSON.parse(final.stdout) as ProjectImage[]).map((i) => i.tag).sort()).toEqual(
      [`${REPO}:default`, `${REPO}:default-${latest.id}`].sort(),
    );
    expect((await listBuilds(project)).filter((b) => !b.imagesRemoved).map((b) => b.id)).toEqual([
      latest.id,
    ]);
  }, 120_000);
});
