// The test harness end to end (issue 2, item 8): the offline fixture images, a channel served on
// 127.0.0.1 and BuildKit through dockerode make a two-stage image the way generated Dockerfiles do.
// Part 1 exercises the builder stand-in's installer on tiny packages; part 2 installs python and its
// dependencies from the realistic channel and runs it in the distroless-like runtime.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../fixtures/lib/channel-server';
import { type PackageArtifact, writeCondaPackage } from '../fixtures/lib/conda-package';
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
function condaStage(extra = ''): string {
  return [
    `FROM ${FIXTURE_BUILDER_IMAGE} AS conda`,
    'COPY conda-linux-64.lock /tmp/conda-linux-64.lock',
    'RUN --mount=type=cache,target=/opt/conda/pkgs \\',
    '    mamba create --copy -p /env --file /tmp/conda-linux-64.lock --yes',
    extra,
  ].join('\n');
}

describe.skipIf(!imagesReady)('builder stand-in installer', () => {
  let dir: string;
  let channel: ChannelServer;
  const tag = `condense-test/harness-standin:${RUN}`;
  const lines: string[] = [];
  let tool: PackageArtifact;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'condense-harness-'));
    // A fake "python" (only its name and lib/python3.11 matter to noarch installs), a .conda package
    // with the prefix placeholder in text files, and a noarch: python package with an entry point.
    const python = await writeCondaPackage(
      {
        name: 'python',
        version: '3.11.0',
        build: 'h0_0',
        subdir: 'linux-64',
        files: [
          { path: 'bin/python', mode: 0o755, content: '#!/bin/sh\necho "fake python $*"\n' },
          { path: 'lib/python3.11/os.py', content: '# landmark\n' },
        ],
      },
      dir,
      { formats: ['tar.bz2'] },
    );
    const toolPkg = await writeCondaPackage(
      {
        name: 'tool',
        version: '1.0',
        build: 'h1_0',
        subdir: 'linux-64',
        files: [
          { path: 'bin/tool', mode: 0o755, content: `#!/bin/sh\necho "tool in ${PLACEHOLDER}"\n` },
          { path: 'etc/tool.conf', content: `root=${PLACEHOLDER}\ndata=${PLACEHOLDER}/share\n` },
        ],
      },
      dir,
      { formats: ['conda'] },
    );
    const purelib = await writeCondaPackage(
      {
        name: 'purelib',
        version: '0.1',
        build: 'pyh0_0',
        subdir: 'noarch',
        noarch: 'python',
        depends: ['python >=3.8'],
        entryPoints: ['purelib-run = purelib.cli:main'],
        files: [{ path: 'site-packages/purelib/__init__.py', content: 'VALUE = 1\n' }],
      },
      dir,
      { formats: ['tar.bz2'] },
    );
    channel = await startChannelServer({ root: dir });
    tool = toolPkg.artifacts.conda!;
    for (const [pkg, format] of [
      [python, 'tar.bz2'],
      [toolPkg, 'conda'],
      [purelib, 'tar.bz2'],
    ] as const) {
      const artifact = pkg.artifacts[format]!;
      lines.push(`${channel.url}/${pkg.spec.subdir}/${artifact.filename}#${artifact.md5}`);
    }
    await buildImage(docker, {
      files: { 'conda-linux-64.lock': explicitLock(lines) },
      dockerfile: condaStage(),
      tag,
      buildkit: true,
    });
  });

  afterAll(async () => {
    await removeImages(docker, [tag]);
    await channel?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs in file order, relocates text files, maps noarch python and records conda-meta', async () => {
    const { exitCode, stdout, stderr } = await runInImage(docker, tag, [
      'sh',
      '-c',
      [
        'cat /env/etc/tool.conf',
        'conda run -p /env tool',
        'ls /env/lib/python3.11/site-packages/purelib',
        'head -1 /env/bin/purelib-run',
        'cat /env/conda-meta/tool-1.0-h1_0.json',
        'cat /env/conda-meta/history',
      ].join(' && '),
    ]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toContain('root=/env\ndata=/env/share\n');
    expect(stdout).toContain('tool in /env\n');
    expect(stdout).not.toContain(PLACEHOLDER);
    expect(stdout).toContain('__init__.py');
    expect(stdout).toContain('#!/env/bin/python\n');
    const record = JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)) as {
      name: string;
      url: string;
      md5: string;
      files: string[];
    };
    expect(record).toMatchObject({ name: 'tool', url: lines[1]!.split('#')[0], md5: tool.md5 });
    expect(record.files.sort()).toEqual(['bin/tool', 'etc/tool.conf']);
    const history = stdout.slice(stdout.indexOf('==>'));
    expect(history.match(/^\+.*$/gm)).toEqual([
      `+${channel.url}::python-3.11.0-h0_0`,
      `+${channel.url}::tool-1.0-h1_0`,
      `+${channel.url}::purelib-0.1-pyh0_0`,
    ]);
  });

  it('passes the exit code through conda run and sets CONDA_PREFIX', async () => {
    const result = await runInImage(docker, tag, [
      'conda',
      'run',
      '-p',
      '/env',
      'sh',
      '-c',
      'echo "$CONDA_PREFIX $(command -v python)"; exit 7',
    ]);
    expect(result).toMatchObject({ exitCode: 7, stdout: '/env /env/bin/python\n' });
  });

  it('fails the build on a tampered md5, naming the package and both hashes', async () => {
    const tampered = lines.map((line, i) =>
      i === 1 ? line.replace(/#([0-9a-f])/, (_, c: string) => `#${c === '0' ? '1' : '0'}`) : line,
    );
    const error = await buildImage(docker, {
      files: { 'conda-linux-64.lock': explicitLock(tampered) },
      dockerfile: condaStage(),
      tag: `${tag}-tampered`,
      buildkit: true,
    }).then(
      () => new Error('the build succeeded'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(
      /md5 mismatch for http:\/\/127\.0\.0\.1:\d+\/linux-64\/tool-1\.0-h1_0\.conda/,
    );
    expect(error.message).toContain(`has ${tool.md5}`);
  });

  it('refuses a lockfile without @EXPLICIT before downloading anything', async () => {
    const served = channel.requests.length;
    const error = await buildImage(docker, {
      files: { 'conda-linux-64.lock': 'python=3.11\ntool\n' },
      dockerfile: condaStage(),
      tag: `${tag}-specs`,
      buildkit: true,
    }).then(
      () => new Error('the build succeeded'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain('is not an @EXPLICIT lockfile');
    expect(channel.requests.length).toBe(served);
  });

  it('empties the package cache with conda clean -afy', async () => {
    const result = await runInImage(docker, FIXTURE_BUILDER_IMAGE, [
      'sh',
      '-c',
      'touch /opt/conda/pkgs/a.tar.bz2 && mkdir /opt/conda/pkgs/b && conda clean -afy && ls -A /opt/conda/pkgs | wc -l',
    ]);
    expect(result).toMatchObject({ exitCode: 0, stdout: '0\n' });
  });
});

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
      locked = await lockClosure(channel.url, ['python', 'sqlite', 'openssl']);
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
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      const version = (name: string): string => locked.find((r) => r.name === name)!.version;
      expect(out).toMatchObject({ prefix: '/env', sum: 42, dumps: '[1]' });
      expect(out.python).toBe(version('python'));
      expect(version('sqlite').startsWith(String(out.sqlite))).toBe(true);
      expect(String(out.openssl)).toContain(version('openssl').split(/[^0-9.]/)[0]);
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

    it('leaves no unreplaced placeholder in text files and has no shell in the final image', async () => {
      // Files still holding the placeholder must be binary (NUL bytes): text ones were rewritten.
      const scan = await runInImage(docker, builderTag, [
        'sh',
        '-c',
        `grep -rl ${PLACEHOLDER} /env | while read -r f; do tr -d '\\000' < "$f" | cmp -s - "$f" && echo "$f"; done; true`,
      ]);
      expect(scan).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
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
