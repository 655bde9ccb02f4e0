// Per-rule savings on the realistic fixture environment (python 3.11, numpy, pip, sqlite, openssl,
// ncurses, binutils, libsanitizer, uvloop, click), estimated from paths.json before building and
// measured after building, side by side; then the final image size for the none, safe and expert
// presets next to the article's ratio (Korn 2021: 457 MiB -> 296 MiB, -35%).
// Measured per rule: one prune stage per rule (`FROM conda` + that rule only), the bytes of regular
// files under /env counted in the stage, against the unpruned stage.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzeSavings } from '../electron/services/analysis/savings-analysis';
import { PRUNE_RULES } from '../shared/recipe/catalog';
import {
  BUILDER_STAGE,
  generateDockerfile,
  pruneStage,
  targetStage,
} from '../shared/recipe/dockerfile';
import type { Recipe, Variant } from '../shared/recipe/model';
import { defaultPrune, defaultRecipe } from '../shared/recipe/model';
import { serveRealisticChannel } from '../test/support/channels';
import {
  buildImage,
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  removeImages,
  runInImage,
} from '../test/support/docker';
import { lockRealisticProject } from '../test/support/realistic-project';

const MIB = 1024 * 1024;
const mib = (b: number) => (b / MIB).toFixed(2);

async function main(): Promise<void> {
  const docker = connectDocker();
  const images = await fixtureImagesRequirement(docker);
  if (!images.ok) return console.log(`skipped: ${images.reason}`);
  const channel = await serveRealisticChannel();
  if (!channel) return console.log('skipped: realistic channel not built');
  const work = mkdtempSync(join(tmpdir(), 'condense-bench-recipe-'));
  const tags: string[] = [];
  try {
    const project = join(work, 'project');
    await lockRealisticProject(project, channel.url, join(work, 'cache'));
    const perRule: Variant[] = PRUNE_RULES.map((rule) => ({
      id: `r-${rule.id}`,
      prune: { ...defaultPrune('none'), add: [rule.id] },
    }));
    const presets: Variant[] = (['none', 'safe', 'expert'] as const).map((p) => ({
      id: p,
      prune: defaultPrune(p),
    }));
    const recipe: Recipe = {
      ...defaultRecipe(),
      builderImage: FIXTURE_BUILDER_IMAGE,
      runtimeImage: FIXTURE_RUNTIME_IMAGE,
      variants: [...presets, ...perRule],
    };
    const dockerfile = generateDockerfile(recipe);
    const lock = readFileSync(join(project, recipe.lockfile), 'utf8');
    const build = async (target: string) => {
      const tag = `condense-bench/recipe:${target}`;
      tags.push(tag);
      const started = performance.now();
      await buildImage(docker, {
        dockerfile,
        files: { [recipe.lockfile]: lock },
        tag,
        target,
        buildkit: true,
      });
      return { tag, seconds: (performance.now() - started) / 1000 };
    };
    // Bytes of regular files under /env, counted by GNU find in a builder-based stage.
    const envBytes = async (tag: string) => {
      const run = await runInImage(docker, tag, ['find', '/env', '-type', 'f', '-printf', '%s\n']);
      if (run.exitCode !== 0) throw new Error(`find failed in ${tag}: ${run.stderr}`);
      return run.stdout
        .split('\n')
        .filter(Boolean)
        .reduce((sum, line) => sum + Number(line), 0);
    };

    const t0 = performance.now();
    const estimate = await analyzeSavings({
      projectDir: project,
      recipe,
      cacheRoot: join(work, 'cache'),
    });
    const estimateSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await analyzeSavings({ projectDir: project, recipe, cacheRoot: join(work, 'cache') });
    const cachedSeconds = (performance.now() - t1) / 1000;

    const base = await build(BUILDER_STAGE);
    const baseBytes = await envBytes(base.tag);
    console.log(
      `environment: ${estimate.packages} packages; estimated ${mib(estimate.environmentBytes)} MiB, measured ${mib(baseBytes)} MiB (install ${base.seconds.toFixed(1)} s)`,
    );
    console.log(
      `estimate: ${estimateSeconds.toFixed(2)} s with downloads, ${cachedSeconds.toFixed(2)} s from the file-list cache`,
    );
    console.log('\nrule                  risk     estimated MiB  measured MiB   diff');
    for (const variant of perRule) {
      const { tag } = await build(pruneStage(variant.id));
      const measured = baseBytes - (await envBytes(tag));
      const ruleId = variant.id.slice(2);
      const estimated = estimate.rules.find((r) => r.ruleId === ruleId)!;
      const diff =
        measured === 0
          ? estimated.bytes === 0
            ? '0%'
            : 'n/a'
          : `${((100 * (estimated.bytes - measured)) / measured).toFixed(1)}%`;
      console.log(
        `${ruleId.padEnd(22)}${estimated.risk.padEnd(9)}${mib(estimated.bytes).padStart(13)}${mib(measured).padStart(14)}${diff.padStart(8)}`,
      );
    }
    console.log(
      '\npreset   rules  image MiB  /env MiB  vs none (image)  estimated saving  measured saving',
    );
    let noneSize = 0;
    let noneEnv = 0;
    for (const variant of presets) {
      const { tag, seconds } = await build(targetStage(variant.id));
      const size = (await docker.getImage(tag).inspect()).Size;
      const prune = await build(pruneStage(variant.id));
      const env = await envBytes(prune.tag);
      if (variant.id === 'none') {
        noneSize = size;
        noneEnv = env;
      }
      const est = estimate.selections.find((s) => s.id === variant.id)!;
      const ratio = noneSize ? `${((100 * (size - noneSize)) / noneSize).toFixed(1)}%` : '';
      console.log(
        `${variant.id.padEnd(9)}${String(est.ruleIds.length).padStart(5)}${mib(size).padStart(11)}${mib(env).padStart(10)}${ratio.padStart(17)}${mib(est.bytes).padStart(18)}${mib(noneEnv - env).padStart(17)}   (build ${seconds.toFixed(1)} s)`,
      );
    }
    console.log('article (Korn 2021): 457 MiB -> 296 MiB with expert pruning = -35.2%');
  } finally {
    await removeImages(docker, tags);
    await channel.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
