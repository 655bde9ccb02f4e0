import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDockerfile, targetStage } from '../../../shared/recipe/dockerfile';
import { selectorMatcher } from '../../../shared/recipe/match';
import type { Recipe } from '../../../shared/recipe/model';
import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import type { ServedChannel } from '../../../test/support/channels';
import { REALISTIC_CHANNEL_DIR, serveRealisticChannel } from '../../../test/support/channels';
import type { ImageFile } from '../../../test/support/docker';
import {
  buildImage,
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  listImageFiles,
  prefixFiles,
  removeImages,
  runInImage,
  totalSize,
} from '../../../test/support/docker';
import { lockRealisticProject } from '../../../test/support/realistic-project';
import { available } from '../../../test/support/requirements';
import { analyzeSavings } from '../analysis/savings-analysis';

let docker: Docker;
let channel: ServedChannel | undefined;
let work: string;
let project: string;
const tags: string[] = [];

const recipe: Recipe = {
  ...defaultRecipe(),
  builderImage: FIXTURE_BUILDER_IMAGE,
  runtimeImage: FIXTURE_RUNTIME_IMAGE,
  variants: (['none', 'safe', 'expert'] as const).map((p) => ({ id: p, prune: defaultPrune(p) })),
};

beforeAll(async () => {
  docker = connectDocker();
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  if (!channel) return;
  work = await mkdtemp(join(tmpdir(), 'condense-realistic-'));
  project = join(work, 'project');
  await lockRealisticProject(project, channel.url, join(work, 'cache'));
});

afterAll(async () => {
  if (docker) await removeImages(docker, tags);
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('per-preset builds of python + numpy from the realistic channel', () => {
  it('prunes exactly the targeted files, python still runs, the estimate agrees within 5%', async () => {
    if (!channel) return;
    const manifest = JSON.parse(
      await readFile(join(REALISTIC_CHANNEL_DIR, 'MANIFEST.json'), 'utf8'),
    ) as { importCheck: { code: string; expect: string } };
    const dockerfile = generateDockerfile(recipe);
    const lock = await readFile(join(project, recipe.lockfile), 'utf8');
    const listed = new Map<string, Map<string, ImageFile>>();
    for (const variant of recipe.variants) {
      const tag = `condense-test/recipe-realistic:${variant.id}`;
      tags.push(tag);
      await buildImage(docker, {
        dockerfile,
        files: { [recipe.lockfile]: lock },
        tag,
        target: targetStage(variant.id),
        buildkit: true,
      });
      listed.set(variant.id, prefixFiles(await listImageFiles(docker, tag)));
      const run = await runInImage(docker, tag, [
        '/env/bin/python',
        '-c',
        manifest.importCheck.code,
      ]);
      expect({ variant: variant.id, exit: run.exitCode, err: run.stderr.slice(-400) }).toEqual({
        variant: variant.id,
        exit: 0,
        err: '',
      });
      expect(run.stdout).toContain(manifest.importCheck.expect);
    }
    const none = listed.get('none')!;
    const estimate = await analyzeSavings({
      projectDir: project,
      recipe,
      cacheRoot: join(work, 'cache'),
    });
    expect(Math.abs(estimate.environmentBytes - totalSize(none))).toBeLessThanOrEqual(
      0.05 * totalSize(none),
    );
    for (const variant of recipe.variants) {
      const matchers = resolvePrune(variant.prune, recipe.platform).map((rule) =>
        selectorMatcher(rule.selector, recipe.prefix),
      );
      const expected = [...none.entries()]
        .filter(([path, f]) => {
          const file = {
            path,
            type: f.type === 'symlink' ? ('symlink' as const) : ('file' as const),
          };
          return !matchers.some((m) => m(file));
        })
        .map(([path]) => path)
        .sort();
      const got = listed.get(variant.id)!;
      expect([...got.keys()].sort()).toEqual(expected);
      const measured = totalSize(none) - totalSize(got);
      const estimated = estimate.selections.find((s) => s.id === variant.id)!.bytes;
      console.log(`${variant.id}: estimated ${estimated} B, measured ${measured} B`);
      if (variant.id === 'none') expect(measured).toBe(0);
      else expect(Math.abs(estimated - measured)).toBeLessThanOrEqual(0.05 * measured);
    }
  }, 900_000);

  it("installs the user's package offline with --no-build-isolation and runs it as non-root", async () => {
    if (!channel) return;
    const single: Recipe = {
      ...recipe,
      variants: [],
      prune: defaultPrune('expert'),
      package: { path: 'svc', noBuildIsolation: true },
      entrypoint: { preset: 'module', module: 'svc.main', args: ['--greet', "it's $(fine)"] },
      workdir: '/srv',
    };
    const tag = 'condense-test/recipe-realistic:package';
    tags.push(tag);
    await buildImage(docker, {
      dockerfile: generateDockerfile(single),
      files: {
        [single.lockfile]: await readFile(join(project, single.lockfile), 'utf8'),
        'svc/pyproject.toml': [
          '[build-system]',
          'requires = ["setuptools"]',
          'build-backend = "setuptools.build_meta"',
          '[project]',
          'name = "svc"',
          'version = "0.1.0"',
          '',
        ].join('\n'),
        'svc/svc/__init__.py': '',
        'svc/svc/main.py': [
          'import os, sys, numpy',
          'print("svc-ok", os.getuid(), os.getcwd(), numpy.add(2, 3), sys.argv[1:])',
          '',
        ].join('\n'),
      },
      tag,
      buildkit: true,
    });
    // The image's own CMD, as `docker run IMAGE` would run it.
    const run = await runInImage(docker, tag, []);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`svc-ok 65532 /srv 5 ['--greet', "it's $(fine)"]`);
    const files = prefixFiles(await listImageFiles(docker, tag));
    expect([...files.keys()].some((p) => /site-packages\/svc\/main\.py$/.test(p))).toBe(true);
    // Pruned after pip install: neither pip nor any bytecode cache is left.
    expect([...files.keys()].some((p) => p.includes('__pycache__'))).toBe(false);
    expect([...files.keys()].some((p) => p.includes('site-packages/pip/'))).toBe(false);
  }, 600_000);
});
