// The seed-shaped service exported (issue 11, item 7): the folder holds the package, the lockfiles and
// model.pkl (`files:`), `docker build` there works with Debian's CLI under BuildKit and with the
// classic builder, and both images pass the same service check as a build from the project.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nycTaxiFareProject } from '../../../fixtures/examples/example-project';
import { freePort } from '../../../fixtures/examples/example-service';
import type { Recipe } from '../../../shared/recipe/model';
import { validateRecipe } from '../../../shared/recipe/validate';
import { type ServedChannel, serveRealisticChannel } from '../../../test/support/channels';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  removeImages,
} from '../../../test/support/docker';
import { available, dockerHost } from '../../../test/support/requirements';
import { runServiceCheck } from '../checks/service-check';
import { connectEngine } from '../docker/engine';
import { loadRecipe } from '../recipe/recipe-file';
import { exportProject } from './export-service';

const run = promisify(execFile);
const DOCKER_CLI = process.env.CONDENSE_DOCKER_CLI ?? '/usr/bin/docker';
const docker = connectDocker();
let channel: ServedChannel | undefined;
let work: string;
let recipe: Recipe;
const tags: string[] = [];

beforeAll(async () => {
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  if (
    !available('the Debian docker CLI', {
      ok: existsSync(DOCKER_CLI),
      reason: `${DOCKER_CLI} is missing (apt-get install docker.io)`,
    })
  )
    return;
  channel = await serveRealisticChannel();
  if (!channel) return;
  work = await mkdtemp(join(tmpdir(), 'condense-export-service-'));
  const { dir } = await nycTaxiFareProject(join(work, 'project'), channel.url, join(work, 'cache'));
  const loaded = await loadRecipe(dir);
  const port = await freePort();
  recipe = validateRecipe({
    ...loaded,
    builderImage: FIXTURE_BUILDER_IMAGE,
    runtimeImage: FIXTURE_RUNTIME_IMAGE,
    entrypoint: { ...loaded.entrypoint, bind: `0.0.0.0:${port}` },
    port,
    // Room for a slow start on a loaded machine (condense.yml says 60 s); the deadline is not tested here.
    service: { ...loaded.service!, timeoutSeconds: 600 },
    variants: [],
    prune: loaded.variants.find((v) => v.id === 'expert')!.prune,
  });
  await exportProject({
    projectDir: dir,
    dir: join(work, 'export'),
    recipe,
    cacheRoot: join(work, 'cache'),
  });
}, 600_000);

afterAll(async () => {
  await removeImages(docker, tags);
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the exported seed-shaped service', () => {
  it('builds with the docker CLI (BuildKit and classic) and answers the service check', async () => {
    if (!channel) return;
    expect(existsSync(join(work, 'export/model.pkl'))).toBe(true);
    expect(existsSync(join(work, 'export/nyc_taxi_fare/serve.py'))).toBe(true);
    const engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
    for (const buildkit of [true, false]) {
      const tag = `condense-test/export-service:${buildkit ? 'buildkit' : 'classic'}-${process.pid}`;
      tags.push(tag);
      await run(
        DOCKER_CLI,
        [
          'build',
          '--network',
          'host',
          ...(buildkit ? [] : ['-f', 'Dockerfile.classic']),
          '-t',
          tag,
          '.',
        ],
        {
          cwd: join(work, 'export'),
          env: { ...process.env, DOCKER_HOST: dockerHost(), DOCKER_BUILDKIT: buildkit ? '1' : '0' },
          timeout: 900_000,
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      const checked = await runServiceCheck({
        engine,
        imageId: tag,
        port: recipe.port!,
        spec: recipe.service!,
        network: 'host',
      });
      expect({ tag, ...checked }).toMatchObject({ tag, passed: true, status: 200 });
    }
  }, 1_800_000);
});
