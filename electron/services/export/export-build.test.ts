// The exported folder builds on its own with the plain Docker CLI (Debian's 20.10), BuildKit and classic,
// and both images answer like an image built by Condense.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultPrune, defaultRecipe, type Recipe } from '../../../shared/recipe/model';
import { type ServedChannel, serveRealisticChannel } from '../../../test/support/channels';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  removeImages,
  runInImage,
} from '../../../test/support/docker';
import { lockRealisticProject } from '../../../test/support/realistic-project';
import { available, dockerHost } from '../../../test/support/requirements';
import { exportProject } from './export-service';

const run = promisify(execFile);
/** Debian's docker CLI: the one at /usr/local/bin refuses DOCKER_BUILDKIT=1. */
const DOCKER_CLI = process.env.CONDENSE_DOCKER_CLI ?? '/usr/bin/docker';

let docker: Docker;
let channel: ServedChannel | undefined;
let work: string;
const tags: string[] = [];

const recipe: Recipe = {
  ...defaultRecipe(),
  builderImage: FIXTURE_BUILDER_IMAGE,
  runtimeImage: FIXTURE_RUNTIME_IMAGE,
  package: { path: 'svc', noBuildIsolation: true },
  entrypoint: { preset: 'module', module: 'svc.main' },
  prune: defaultPrune('safe'),
};

beforeAll(async () => {
  docker = connectDocker();
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
  work = await mkdtemp(join(tmpdir(), 'condense-export-build-'));
  const project = join(work, 'project');
  await lockRealisticProject(project, channel.url, join(work, 'cache'));
  const files: Record<string, string> = {
    'svc/pyproject.toml': [
      '[build-system]',
      'requires = ["setuptools"]',
      'build-backend = "setuptools.build_meta"',
      '[project]',
      'name = "svc"',
      'version = "0.1.0"',
      '[tool.setuptools.package-data]',
      'svc = ["*.txt"]',
      '',
    ].join('\n'),
    'svc/svc/__init__.py': '',
    'svc/svc/main.py': [
      'import pathlib, svc',
      'data = pathlib.Path(svc.__file__).with_name("greeting.txt").read_text().strip()',
      'print("export-ok", data)',
      '',
    ].join('\n'),
    'svc/svc/greeting.txt': 'hello from the package\n',
    'svc/.env': 'TOKEN=never-exported\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), text);
  }
  await exportProject({
    projectDir: project,
    dir: join(work, 'export'),
    recipe,
    cacheRoot: join(work, 'cache'),
  });
}, 120_000);

afterAll(async () => {
  if (docker) await removeImages(docker, tags);
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function cliBuild(buildkit: boolean, tag: string, args: string[] = []): Promise<string> {
  const { stdout, stderr } = await run(
    DOCKER_CLI,
    ['build', '--network', 'host', ...args, '-t', tag, '.'],
    {
      cwd: join(work, 'export'),
      env: { ...process.env, DOCKER_HOST: dockerHost(), DOCKER_BUILDKIT: buildkit ? '1' : '0' },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout + stderr;
}

describe('an exported folder', () => {
  it('builds with `docker build .` under BuildKit and with Dockerfile.classic under the classic builder', async () => {
    if (!channel) return;
    const variants = [
      { buildkit: true, tag: 'condense-test/export:buildkit', args: [] },
      { buildkit: false, tag: 'condense-test/export:classic', args: ['-f', 'Dockerfile.classic'] },
    ];
    for (const variant of variants) {
      tags.push(variant.tag);
      const log = await cliBuild(variant.buildkit, variant.tag, variant.args);
      // The classic builder prints `Step N/M`; BuildKit its `#n` vertex lines.
      expect(log).toMatch(variant.buildkit ? /^#\d+ /m : /^Step \d+\/\d+ : /m);
      const answer = await runInImage(docker, variant.tag, []);
      expect({ tag: variant.tag, exit: answer.exitCode, stderr: answer.stderr }).toEqual({
        tag: variant.tag,
        exit: 0,
        stderr: '',
      });
      expect(answer.stdout.trim()).toBe('export-ok hello from the package');
      const secret = await runInImage(docker, variant.tag, [
        '/env/bin/python',
        '-c',
        'import pathlib; print(any(p.name == ".env" for p in pathlib.Path("/").rglob(".env")))',
      ]);
      expect(secret.stdout.trim()).toBe('False');
    }
  }, 900_000);
});
