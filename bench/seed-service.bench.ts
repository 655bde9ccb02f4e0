// The seed-shaped service (fixtures/examples/nyc-taxi-fare: FastAPI + scikit-learn model under gunicorn
// with uvicorn workers) built per prune preset on the offline fixtures, side by side with the seed
// article's sizes (457 MiB before pruning, 296 MiB after): image size, environment size, start-up time
// (container start to the first answered prediction) and memory after that answer.
// Needs the engine, the fixture images and the realistic channel (bash fixtures/realistic/build.sh).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { generatedFiles } from '../electron/services/recipe/generated-files';
import { nycTaxiFareProject } from '../fixtures/examples/example-project';
import { contextFiles, freePort, runService } from '../fixtures/examples/example-service';
import { formatSizeColumn } from '../shared/format/size';
import { targetStage } from '../shared/recipe/dockerfile';
import type { Recipe } from '../shared/recipe/model';
import { validateRecipe } from '../shared/recipe/validate';
import { realisticChannelAvailable, serveRealisticChannel } from '../test/support/channels';
import {
  buildImage,
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  listImageFiles,
  prefixFiles,
  removeImages,
  totalSize,
} from '../test/support/docker';

const ARTICLE: Record<string, number | undefined> = {
  none: 457 * 2 ** 20,
  safe: undefined,
  expert: 296 * 2 ** 20,
};

const docker = connectDocker();
const ready = await fixtureImagesRequirement(docker);
if (!ready.ok || !realisticChannelAvailable()) {
  console.log(`skipped: ${ready.reason || 'the realistic channel is not built'}`);
  process.exit(0);
}
const channel = (await serveRealisticChannel())!;
const work = mkdtempSync(join(tmpdir(), 'condense-bench-seed-'));
const tags: string[] = [];
try {
  const example = await nycTaxiFareProject(join(work, 'project'), channel.url, join(work, 'cache'));
  const project = example.dir;
  console.log(
    `fixture: lock ${example.timings.lockSeconds.toFixed(1)} s, model.pkl ${example.timings.modelSeconds.toFixed(1)} s${example.timings.modelCached ? ' (cached)' : ''}`,
  );
  const raw = parse(readFileSync(join(project, 'condense.yml'), 'utf8')) as Record<
    string,
    unknown
  > & {
    service: { path: string; method: 'GET' | 'POST'; body: string };
  };
  const { files: _files, service, version: _version, ...rest } = raw;
  const port = await freePort();
  const recipe: Recipe = validateRecipe({
    ...rest,
    builderImage: FIXTURE_BUILDER_IMAGE,
    runtimeImage: FIXTURE_RUNTIME_IMAGE,
    entrypoint: { ...(rest.entrypoint as object), bind: `0.0.0.0:${port}` },
    port,
  });
  const generated = generatedFiles(recipe);
  writeFileSync(join(project, '.dockerignore'), generated.dockerignore);
  const context = await contextFiles(project, generated.dockerfile);
  const rows: { id: string; image: number; env: number; startup: number; memory?: number }[] = [];
  for (const variant of recipe.variants) {
    const tag = `condense-bench/seed-service:${variant.id}`;
    tags.push(tag);
    const started = performance.now();
    await buildImage(docker, {
      dockerfile: generated.dockerfile,
      files: context,
      tag,
      target: targetStage(variant.id),
      buildkit: true,
    });
    const buildSeconds = (performance.now() - started) / 1000;
    const image = (await docker.getImage(tag).inspect()).Size;
    const env = totalSize(prefixFiles(await listImageFiles(docker, tag)));
    const answer = await runService(
      docker,
      tag,
      { port, path: service.path, method: service.method, body: service.body },
      { binds: [`${join(project, 'model.pkl')}:/app/model.pkl:ro`] },
    );
    if (answer.status !== 200)
      throw new Error(`${variant.id}: HTTP ${answer.status}\n${answer.logs}`);
    console.log(`built ${variant.id} in ${buildSeconds.toFixed(0)} s: ${answer.body}`);
    rows.push({
      id: variant.id,
      image,
      env,
      startup: answer.startupMs,
      ...(answer.memoryBytes ? { memory: answer.memoryBytes } : {}),
    });
  }
  const images = formatSizeColumn(rows.map((r) => r.image));
  const envs = formatSizeColumn(rows.map((r) => r.env));
  const article = formatSizeColumn(rows.map((r) => ARTICLE[r.id]));
  const memory = formatSizeColumn(rows.map((r) => r.memory));
  console.log('');
  console.log('| preset | image | /env | article | start-up | memory after 1st answer |');
  console.log('|---|---|---|---|---|---|');
  rows.forEach((r, i) => {
    console.log(
      `| ${r.id} | ${images[i]} | ${envs[i]} | ${ARTICLE[r.id] ? article[i] : '-'} | ${(r.startup / 1000).toFixed(1)} s | ${r.memory ? memory[i] : '-'} |`,
    );
  });
} finally {
  await removeImages(docker, tags);
  await channel.close();
  rmSync(work, { recursive: true, force: true });
}
