import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ServedChannel } from '../../../test/support/channels';
import { serveRealisticChannel } from '../../../test/support/channels';
import {
  connectDocker,
  fixtureImagesRequirement,
  listImageFiles,
  removeImages,
  runInImage,
} from '../../../test/support/docker';
import type { ServedIndexes } from '../../../test/support/pypi';
import { PRIVATE_LOGIN, servePypiIndexes, writePipProject } from '../../../test/support/pypi';
import { available } from '../../../test/support/requirements';
import { analyzeSavings } from '../analysis/savings-analysis';
import { createBuildContext } from '../build/build-context';
import { buildProject } from '../build/build-service';
import { recipeBuildInput } from '../build/recipe-input';
import { runBuild } from '../build/run-build';
import { RepodataCache } from '../channels/repodata-cache';
import { connectEngine } from '../docker/engine';
import { exportProject } from '../export/export-service';
import { lockProject } from '../lock/lock-service';
import { loadRecipe } from '../recipe/recipe-file';

let docker: Docker;
let channel: ServedChannel | undefined;
let indexes: ServedIndexes | undefined;
let work: string;
let project: string;
const REPO = 'condense-test/pip-build';
const tags: string[] = [];

const job = { signal: new AbortController().signal, emit: () => undefined };

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of await readdir(dir, { recursive: true })) {
    const data = await readFile(join(dir, name)).catch(() => undefined);
    if (data) out.set(name, data);
  }
  return out;
}

async function imageBytes(ref: string): Promise<Buffer> {
  const stream = await docker.getImage(ref).get();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  docker = connectDocker();
  if (!available('Docker with the fixture images', await fixtureImagesRequirement(docker))) return;
  channel = await serveRealisticChannel();
  indexes = await servePypiIndexes();
  if (!channel || !indexes) return;
  work = await mkdtemp(join(tmpdir(), 'condense-pip-build-'));
  project = join(work, 'project');
  process.env.PIP_LOGIN = PRIVATE_LOGIN;
  process.env.PIP_TOKEN = indexes.token;
  // An extra, and markers of the user's own: one true for the locked Python, one false on Linux.
  await writePipProject(project, channel.url, indexes, [
    'condense-demo[http]',
    'acme-internal',
    'tabulate; python_version >= "3.8"',
    'pinme; sys_platform == "win32"',
  ]);
  await lockProject(
    { projectDir: project, platforms: ['linux-64'] },
    {},
    { cache: new RepodataCache({ dir: join(work, 'repodata') }), engine: connectEngine() },
  );
}, 600_000);

afterAll(async () => {
  delete process.env.PIP_TOKEN;
  delete process.env.PIP_LOGIN;
  if (docker) await removeImages(docker, tags);
  await channel?.close();
  await indexes?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('pip packages in the image (lock, BuildKit build with the secret, smoke test, export)', () => {
  it('installs exactly the locked wheels next to conda, imports them, and the token is nowhere', async () => {
    if (!channel || !indexes) return;
    const record = await buildProject(
      { engine: () => connectEngine(), cacheRoot: join(work, 'cache') },
      { projectDir: project, repository: REPO },
      job,
    );
    tags.push(`${REPO}:default`, `${REPO}:default-${record.id}`);
    expect(record.error?.message).toBeUndefined();
    expect(record.state).toBe('succeeded');
    expect(record.builder).toBe('buildkit');
    const variant = record.variants[0]!;
    // The smoke test's modules come from the wheels' RECORDs too.
    expect({
      passed: variant.smoke?.passed,
      out: variant.smoke?.checks.map((c) => c.output.slice(-600)),
    }).toMatchObject({ passed: true });
    expect(variant.smoke?.modules).toEqual(
      expect.arrayContaining([
        'acme_internal',
        'condense_demo',
        'jinja2',
        'markupsafe',
        'requests',
        'tabulate',
      ]),
    );
    expect(variant.smoke?.modules).not.toContain('pinme');
    const image = `${REPO}:default`;
    const run = await runInImage(docker, image, [
      '/env/bin/python',
      '-c',
      'import markupsafe._speedups, condense_demo, acme_internal, requests, click; print(condense_demo.greet("pip"), click.__file__)',
    ]);
    // Debian's requests warns about charset_normalizer 3 (it checks upstream's <3 pin): not an error.
    expect({ exit: run.exitCode, traceback: run.stderr.includes('Traceback') }).toEqual({
      exit: 0,
      traceback: false,
    });
    expect(run.stdout).toContain('hello pip /env/lib/python3.11/site-packages/click/__init__.py');
    // conda's click stays the only one: pip did not install its own copy.
    const files = await listImageFiles(docker, image);
    const site = 'env/lib/python3.11/site-packages/';
    const dists = files
      .map((f) => f.path)
      .filter(
        (p) =>
          p.startsWith(site) && /\.(dist|egg)-info\/?$/.test(p.split('/').slice(0, 6).join('/')),
      );
    const distNames = [...new Set(dists.map((p) => p.slice(site.length).split('/')[0]!))];
    expect(distNames.filter((d) => /^click-/i.test(d))).toHaveLength(1);
    expect(distNames.filter((d) => /^six-/i.test(d))).toHaveLength(1);
    expect(distNames.filter((d) => /^condense_demo-1\.0\.0\.dist-info$/.test(d))).toHaveLength(1);
    const installer = await runInImage(docker, image, [
      '/env/bin/python',
      '-c',
      'import importlib.metadata as m; print(sorted((d.metadata["Name"].lower(), (d.read_text("INSTALLER") or "").strip()) for d in m.distributions()))',
    ]);
    expect(installer.stdout).not.toContain("('click', 'pip')");
    expect(installer.stdout).not.toContain("('six', 'pip')");
    expect(installer.stdout).toContain("('acme-internal', 'pip')");
    expect(installer.stdout).toContain("('tabulate', 'pip')");
    expect(installer.stdout).toContain("('requests', 'pip')");
    // The marker false on Linux kept pinme out of the lock and the image.
    expect(installer.stdout).not.toContain("'pinme'");
    expect(await readFile(join(project, 'conda-lock.yml'), 'utf8')).not.toMatch(/name: pinme/);

    // The estimate counts the pip files (RECORD sizes).
    const estimate = await analyzeSavings({
      projectDir: project,
      recipe: await loadRecipe(project),
      cacheRoot: join(work, 'cache'),
    });
    // markupsafe's module files as the image has them (pip's own __pycache__ is not in the wheel's
    // RECORD) are exactly what the estimate gives the package's folder.
    const pipFiles = files.filter(
      (f) => f.path.startsWith(`${site}markupsafe/`) && !f.path.includes('/__pycache__/'),
    );
    expect(pipFiles.length).toBeGreaterThan(0);
    const markupsafe = estimate.space?.find((p) => p.name === 'markupsafe');
    expect(markupsafe?.installedBytes).toBeGreaterThan(0);
    expect(
      markupsafe?.folders.find((f) => f.path === 'lib/python3.11/site-packages/markupsafe')?.bytes,
    ).toBe(pipFiles.reduce((sum, f) => sum + f.size, 0));
    expect(estimate.space?.some((p) => p.name === 'acme-internal')).toBe(true);

    // The token: not in the project, the build history and logs, any layer, the history, the export.
    const exportDir = join(work, 'export');
    await exportProject({ projectDir: project, dir: exportDir });
    const haystacks = new Map<string, Buffer>([
      ...[...(await filesUnder(project))].map(([k, v]) => [`project/${k}`, v] as const),
      ...[...(await filesUnder(exportDir))].map(([k, v]) => [`export/${k}`, v] as const),
      ['image', await imageBytes(image)],
      ['history', Buffer.from(JSON.stringify(await docker.getImage(image).history()))],
      ['record', Buffer.from(JSON.stringify(record))],
    ]);
    expect([...haystacks.keys()].some((k) => k.startsWith('project/.condense/builds/'))).toBe(true);
    const leaks = [...haystacks]
      .filter(([, data]) => data.includes(indexes!.token))
      .map(([k]) => k);
    expect(leaks).toEqual([]);
    expect(await readFile(join(exportDir, 'Dockerfile'), 'utf8')).toContain(
      '--mount=type=secret,id=pip-netrc',
    );
  }, 900_000);

  it('a build without the secret fails naming the index, not the token', async () => {
    if (!channel || !indexes) return;
    const input = await recipeBuildInput(project);
    const context = await createBuildContext({ projectDir: project, dockerfile: input.dockerfile });
    const failure = await runBuild({
      engine: connectEngine(),
      context: context.stream,
      dockerfile: input.dockerfile,
      builder: 'buildkit',
      network: 'host',
      noCache: true,
      target: 'runtime',
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(
      /pip index 127\.0\.0\.1:\d+(, 127\.0\.0\.1:\d+)? needs credentials/,
    );
    expect(failure?.message).not.toContain(indexes.token);
    // And the service says so before building when the variable is not set.
    delete process.env.PIP_TOKEN;
    try {
      const record = await buildProject(
        { engine: () => connectEngine(), cacheRoot: join(work, 'cache') },
        { projectDir: project, repository: REPO },
        job,
      ).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(record?.message).toMatch(
        /the pip index http:\/\/127\.0\.0\.1:\d+\/simple uses \$\{PIP_TOKEN\}, which is not set/,
      );
    } finally {
      process.env.PIP_TOKEN = indexes.token;
    }
  }, 600_000);
});
