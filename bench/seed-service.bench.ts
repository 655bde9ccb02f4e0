// The seed-shaped service (fixtures/examples/nyc-taxi-fare: FastAPI + scikit-learn model under gunicorn
// with uvicorn workers) built per prune preset and bytecode choice (keep | drop | compile) on the
// offline fixtures, side by side with the seed article's sizes (457 MiB before pruning, 296 MiB
// after): image size, environment size, start-up time (container start to the first good prediction,
// measured by the service check) and peak memory. `CONDENSE_SEED_BYTECODE=keep` builds fewer.
// Needs the engine, the fixture images and the realistic channel (bash fixtures/realistic/build.sh).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzeSavings } from '../electron/services/analysis/savings-analysis';
import { runServiceCheck } from '../electron/services/checks/service-check';
import { connectEngine } from '../electron/services/docker/engine';
import { generatedFiles } from '../electron/services/recipe/generated-files';
import { loadRecipe } from '../electron/services/recipe/recipe-file';
import { nycTaxiFareProject } from '../fixtures/examples/example-project';
import { contextFiles, onTestEngine } from '../fixtures/examples/example-service';
import { formatSizeColumn } from '../shared/format/size';
import { targetStage } from '../shared/recipe/dockerfile';
import type { BytecodeMode, Recipe } from '../shared/recipe/model';
import { validateRecipe } from '../shared/recipe/validate';
import { realisticChannelAvailable, serveRealisticChannel } from '../test/support/channels';
import {
  buildImage,
  connectDocker,
  fixtureImagesRequirement,
  listImageFiles,
  prefixFiles,
  removeImages,
  totalSize,
} from '../test/support/docker';
import { dockerHost } from '../test/support/requirements';

const ARTICLE: Record<string, number | undefined> = {
  none: 457 * 2 ** 20,
  safe: undefined,
  expert: 296 * 2 ** 20,
};

const PRESETS = ['none', 'safe', 'expert'] as const;
const BYTECODE = (process.env.CONDENSE_SEED_BYTECODE ?? 'keep,drop,compile')
  .split(',')
  .filter(Boolean) as BytecodeMode[];

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
  const loaded = await loadRecipe(project);
  const onEngine = await onTestEngine(loaded);
  const { port } = onEngine;
  const recipe: Recipe = validateRecipe({
    ...onEngine,
    variants: PRESETS.flatMap((preset) =>
      BYTECODE.map((bytecode) => ({
        id: `${preset}-${bytecode}`,
        prune: { preset, add: [], remove: [], custom: [], bytecode },
      })),
    ),
  });
  const engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  const generated = generatedFiles(recipe);
  writeFileSync(join(project, '.dockerignore'), generated.dockerignore);
  const context = await contextFiles(project, generated.dockerfile);
  const rows: {
    id: string;
    preset: string;
    bytecode: string;
    image: number;
    env: number;
    startup: number;
    memory?: number;
  }[] = [];
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
    const checked = await runServiceCheck({
      engine,
      imageId: tag,
      port,
      spec: recipe.service!,
      network: 'host',
    });
    if (!checked.passed) throw new Error(`${variant.id}: ${checked.message}`);
    console.log(`built ${variant.id} in ${buildSeconds.toFixed(0)} s, service check passed`);
    rows.push({
      id: variant.id,
      preset: variant.prune.preset,
      bytecode: variant.prune.bytecode ?? 'keep',
      image,
      env,
      startup: checked.startupMs ?? 0,
      ...(checked.peakMemoryBytes ? { memory: checked.peakMemoryBytes } : {}),
    });
  }
  // Condense's estimate before any build (package file lists, conda's pycs and records modelled).
  const estimate = await analyzeSavings({
    projectDir: project,
    recipe,
    cacheRoot: join(work, 'cache'),
  });
  const estimated = rows.map(
    (r) => estimate.environmentBytes - (estimate.selections.find((s) => s.id === r.id)?.bytes ?? 0),
  );
  const images = formatSizeColumn(rows.map((r) => r.image));
  const estimates = formatSizeColumn(estimated);
  const envs = formatSizeColumn(rows.map((r) => r.env));
  const article = formatSizeColumn(rows.map((r) => ARTICLE[r.preset]));
  const memory = formatSizeColumn(rows.map((r) => r.memory));
  console.log('');
  console.log(
    '| preset | bytecode | image | /env | /env estimated | article | start-up | peak memory |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  rows.forEach((r, i) => {
    console.log(
      `| ${r.preset} | ${r.bytecode} | ${images[i]} | ${envs[i]} | ${estimates[i]} | ${ARTICLE[r.preset] ? article[i] : '-'} | ${(r.startup / 1000).toFixed(1)} s | ${r.memory ? memory[i] : '-'} |`,
    );
  });
} finally {
  await removeImages(docker, tags);
  await channel.close();
  rmSync(work, { recursive: true, force: true });
}
