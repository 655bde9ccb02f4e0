// The test harness end to end (issue 2, item 8): the offline fixture images, the realistic channel
// served on 127.0.0.1 and BuildKit through dockerode make a two-stage image the way generated
// Dockerfiles do: python and its dependencies from a hand-written explicit lockfile, run in the
// distroless-like runtime. The installer's own details are tested in fixtures/images/installer.test.ts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { unzipSync } from 'fflate';
import { decompress } from 'fzstd';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../fixtures/lib/channel-server';
import { REALISTIC_CHANNEL_DIR } from './support/channels';
import {
  buildImage,
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
  listImageFiles,
  removeImages,
  runInImage,
} from './support/docker';
import { available, type Requirement } from './support/requirements';

const docker = connectDocker();
const imagesReady = available(
  'Docker with the offline fixture images',
  await fixtureImagesRequirement(docker),
);

const REALISTIC = REALISTIC_CHANNEL_DIR;
function realisticRequirement(): Requirement {
  // MANIFEST.json is written last by fixtures/realistic/build.sh: the channel is complete.
  return existsSync(join(REALISTIC, 'MANIFEST.json'))
    ? { ok: true, reason: '' }
    : { ok: false, reason: `${REALISTIC} is not built (run: bash fixtures/realistic/build.sh)` };
}
const realisticReady = imagesReady && available('the realistic channel', realisticRequirement());

const PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';
// Unique per run so parallel runs and leftovers never collide.
const RUN = `${process.pid}-${Date.now().toString(36)}`;

function explicitLock(lines: string[]): string {
  return ['# platform: linux-64', '@EXPLICIT', ...lines, ''].join('\n');
}

/** The builder stage the generated Dockerfiles use, with the lockfile from the build context. */
function condaStage(): string {
  return [
    `FROM ${FIXTURE_BUILDER_IMAGE} AS conda`,
    'COPY conda-linux-64.lock /tmp/conda-linux-64.lock',
    'RUN --mount=type=cache,target=/opt/conda/pkgs \\',
    '    mamba create --copy -p /env --file /tmp/conda-linux-64.lock --yes',
    '',
  ].join('\n');
}

interface RepodataRecord {
  name: string;
  version: string;
  build: string;
  build_number?: number;
  depends?: string[];
  md5: string;
  subdir?: string;
}

interface Locked extends RepodataRecord {
  url: string;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+_-]/);
  const pb = b.split(/[.+_-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const [x, y] = [pa[i] ?? '', pb[i] ?? ''];
    const diff = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * A hand-made explicit lock: the newest record of each name in the closure of `roots`, dependencies
 * first (no solving: the realistic channel has one build per package that matters here).
 */
async function lockClosure(channelUrl: string, roots: string[]): Promise<Locked[]> {
  const best = new Map<string, Locked>();
  for (const subdir of ['linux-64', 'noarch']) {
    const file = join(REALISTIC, subdir, 'repodata.json');
    if (!existsSync(file)) continue;
    const repodata = JSON.parse(await readFile(file, 'utf8')) as Record<
      string,
      Record<string, RepodataRecord> | undefined
    >;
    // .conda first, like conda and rattler; a .tar.bz2 of the same build is skipped.
    for (const key of ['packages.conda', 'packages']) {
      for (const [fn, record] of Object.entries(repodata[key] ?? {})) {
        const current = best.get(record.name);
        const order = current
          ? compareVersions(record.version, current.version) ||
            (record.build_number ?? 0) - (current.build_number ?? 0)
          : 1;
        if (order > 0) best.set(record.name, { ...record, url: `${channelUrl}/${subdir}/${fn}` });
      }
    }
  }
  const ordered: Locked[] = [];
  const seen = new Set<string>();
  const visit = (name: string, from: string): void => {
    if (seen.has(name) || name.startsWith('__')) return;
    seen.add(name);
    const record = best.get(name);
    if (!record) throw new Error(`${from} needs ${name}, which the realistic channel lacks`);
    for (const spec of record.depends ?? []) visit(spec.split(/[\s=<>!~]/)[0]!, name);
    ordered.push(record);
  };
  for (const root of roots) visit(root, 'the test');
  return ordered;
}

/** The text-mode placeholder paths of a locked `.conda` package (its info/has_prefix). */
async function textPlaceholderPaths(record: Locked): Promise<string[]> {
  const file = join(REALISTIC, record.url.split('/').slice(-2).join('/'));
  if (!file.endsWith('.conda')) throw new Error(`expected a .conda package, got ${file}`);
  const zip = unzipSync(new Uint8Array(await readFile(file)), {
    filter: (entry) => entry.name.startsWith('info-'),
  });
  const reader = extract();
  const lines: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        chunks.push(chunk as Buffer);
      });
      stream.on('end', () => {
        if (header.name === 'info/has_prefix')
          lines.push(...Buffer.concat(chunks).toString().split('\n'));
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([Buffer.from(decompress(Object.values(zip)[0]!))]).pipe(reader);
  await done;
  // Lines are `<placeholder> <mode> <path>`.
  return lines
    .map((line) => line.split(' '))
    .flatMap((f) => (f[1] === 'text' ? [f.slice(2).join(' ')] : []));
}

describe.skipIf(!realisticReady)(
  'harness: python from the realistic channel in a two-stage image',
  () => {
    let channel: ChannelServer;
    let locked: Locked[];
    const tag = `condense-test/harness-python:${RUN}`;
    const builderTag = `condense-test/harness-python-builder:${RUN}`;
    const probe =
      'import json, platform, sqlite3, ssl, sys; ' +
      'db = sqlite3.connect(":memory:"); ' +
      'ssl.create_default_context(); ' +
      'print(json.dumps({"python": platform.python_version(), "prefix": sys.prefix, ' +
      '"sqlite": sqlite3.sqlite_version, "sum": db.execute("select 40 + 2").fetchone()[0], ' +
      '"openssl": ssl.OPENSSL_VERSION, "dumps": json.dumps([1])}))';

    beforeAll(async () => {
      channel = await startChannelServer({ root: REALISTIC });
      locked = await lockClosure(channel.url, ['python', 'sqlite', 'openssl', 'pip']);
      const files = {
        'conda-linux-64.lock': explicitLock(locked.map((r) => `${r.url}#${r.md5}`)),
      };
      const dockerfile = [
        condaStage(),
        `FROM ${FIXTURE_RUNTIME_IMAGE}`,
        'COPY --from=conda /env /env',
        `CMD ${JSON.stringify(['/env/bin/python', '-c', probe])}`,
        '',
      ].join('\n');
      const started = Date.now();
      await buildImage(docker, { files, dockerfile, tag, buildkit: true });
      console.info(
        `[harness] two-stage build of ${locked.length} packages: ${Date.now() - started} ms`,
      );
      // The builder stage alone (from the build cache) for looking at the installed prefix.
      await buildImage(docker, {
        files,
        dockerfile,
        tag: builderTag,
        target: 'conda',
        buildkit: true,
      });
    });

    afterAll(async () => {
      await removeImages(docker, [tag, builderTag]);
      await channel?.close();
    });

    it('runs the exec-form CMD: python with sqlite3, ssl and json from /env', async () => {
      const result = await runInImage(docker, tag, []);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      console.info(`[harness] probe: ${result.stdout.trim()}`);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      const version = (name: string): string => locked.find((r) => r.name === name)!.version;
      expect(out).toMatchObject({ prefix: '/env', sum: 42, dumps: '[1]' });
      expect(out.python).toBe(version('python'));
      expect(version('sqlite').startsWith(String(out.sqlite))).toBe(true);
      expect(String(out.openssl)).toContain(version('openssl').split(/[^0-9.]/)[0]);
    });

    it('fails the build on a tampered md5, with the message of the stand-in installer', async () => {
      // The first package: the build fails before installing anything else.
      const first = 0;
      const lines = locked.map((r, i) => `${r.url}#${i === first ? 'f'.repeat(32) : r.md5}`);
      const error = await buildImage(docker, {
        files: { 'conda-linux-64.lock': explicitLock(lines) },
        dockerfile: condaStage(),
        tag: `${builderTag}-tampered`,
        buildkit: true,
      }).then(
        () => new Error('the build succeeded'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toContain(`md5 mismatch for ${locked[first]!.url}`);
      expect(error.message).toContain(`has ${locked[first]!.md5}`);
    });

    it('refuses a lockfile that is not @EXPLICIT', async () => {
      const error = await buildImage(docker, {
        files: { 'conda-linux-64.lock': 'python=3.11\nsqlite\n' },
        dockerfile: condaStage(),
        tag: `${builderTag}-specs`,
        buildkit: true,
      }).then(
        () => new Error('the build succeeded'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toContain('is not an @EXPLICIT lockfile');
    });

    it('installs noarch: python packages (pip) where python finds them, with entry points', async () => {
      const result = await runInImage(docker, builderTag, [
        'sh',
        '-c',
        'conda run -p /env python -m pip --version && /env/bin/pip --version',
      ]);
      const pip = locked.find((r) => r.name === 'pip')!;
      const expected = `pip ${pip.version} from /env/lib/python3.11/site-packages/pip (python 3.11)\n`;
      expect(result).toMatchObject({ exitCode: 0, stdout: expected + expected });
    });

    it('runs as the nonroot user of the runtime image', async () => {
      const result = await runInImage(
        docker,
        tag,
        ['/env/bin/python', '-c', 'import os; print(os.getuid())'],
        {
          user: 'nonroot',
        },
      );
      expect(result).toMatchObject({ exitCode: 0, stdout: '65532\n' });
    });

    it('rewrites the declared text placeholders to /env; the final image has no shell', async () => {
      // The files the packages declare as text with a placeholder now name /env instead.
      const declared = (await Promise.all(locked.map(textPlaceholderPaths))).flat();
      expect(declared.length).toBeGreaterThan(0);
      const check = await runInImage(docker, builderTag, [
        'sh',
        '-c',
        `for f; do grep -q ${PLACEHOLDER} "/env/$f" && echo "left: $f"; grep -q /env/ "/env/$f" || echo "no /env: $f"; done`,
        'sh',
        ...declared,
      ]);
      expect(check).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
      const files = await listImageFiles(docker, tag);
      const paths = new Set(files.map((f) => f.path));
      expect(paths.has('env/bin/python') || paths.has('env/bin/python3')).toBe(true);
      expect([...paths].some((p) => /^env\/conda-meta\/python-3[^/]*\.json$/.test(p))).toBe(true);
      expect(paths.has('usr/bin/sh')).toBe(false);
      const envBytes = files
        .filter((f) => f.path.startsWith('env/'))
        .reduce((n, f) => n + f.size, 0);
      console.info(
        `[harness] /env in the final image: ${(envBytes / 1e6).toFixed(1)} MB in ${files.length} paths`,
      );
      expect(envBytes).toBeGreaterThan(1_000_000);
    });
  },
);
