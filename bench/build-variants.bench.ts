// Build benchmarks on the offline fixtures (realistic channel: real python, numpy, pip; fixture
// miniforge3 and distroless images), through the same service the app and the CLI use:
//   cold build (empty package cache, nothing cached)                     -> the reference
//   rebuild after changing only the user's package      target <= 0.3 x cold
//   rebuild after a lock change, package cache mount warm (article: 23 s / 56 s = 0.41)
//   four prune variants together, cold                  target <= 1.5 x one cold build
// "Cold" without touching other users of the engine: a unique lockfile comment busts every layer from
// the lock on, and a unique cache-mount id gives an empty package cache.
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildProject } from '../electron/services/build/build-service';
import { recipeBuildInput } from '../electron/services/build/recipe-input';
import { removeRepository } from '../electron/services/build/test-images';
import { connectEngine } from '../electron/services/docker/engine';
import { writeRecipeFile } from '../electron/services/recipe/recipe-file';
import { startChannelServer } from '../fixtures/lib/channel-server';
import type { BuildRecord, BuildStartRequest, BuildStep } from '../shared/api/build';
import { formatDuration } from '../shared/build/layers';
import { variantFigures } from '../shared/checks/figures';
import { formatSize } from '../shared/format/size';
import { defaultPrune, defaultRecipe } from '../shared/recipe/model';
import { REALISTIC_CHANNEL_DIR } from '../test/support/channels';
import {
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
} from '../test/support/docker';

/** An HTTP proxy on 127.0.0.1 that sends response bodies at `bytesPerSecond` (0: unpaced). */
async function throttledProxy(
  upstream: string,
  bytesPerSecond: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    httpGet(`${upstream}${req.url ?? '/'}`, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (!bytesPerSecond) {
        up.pipe(res);
        return;
      }
      const started = performance.now();
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        res.write(chunk);
        const due = (sent / bytesPerSecond) * 1000 - (performance.now() - started);
        if (due > 0) {
          up.pause();
          setTimeout(() => up.resume(), due);
        }
      });
      up.on('end', () => res.end());
    }).on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const skip = (why: string) => {
  console.log(`skipped: ${why}`);
  process.exit(0);
};
if (!existsSync(join(REALISTIC_CHANNEL_DIR, 'MANIFEST.json')))
  skip(`${REALISTIC_CHANNEL_DIR} not built (bash fixtures/realistic/build.sh)`);
const images = await fixtureImagesRequirement();
if (!images.ok) skip(images.reason);

const work = mkdtempSync(join(tmpdir(), 'condense-bench-build-'));
process.env.CONDENSE_CACHE_DIR = join(work, 'cache');
const project = join(work, 'project');
mkdirSync(join(project, 'mypkg/mypkg'), { recursive: true });
const served = await startChannelServer({ root: REALISTIC_CHANNEL_DIR });
// The article's cache-mount gain comes from downloads; a channel on 127.0.0.1 downloads at disk speed.
// Packages come through a proxy that paces them like a remote channel (CONDENSE_BENCH_MBPS, default
// 5 MB/s, about the rate implied by the article's 33 s of downloads; 0 turns pacing off).
const mbps = Number(process.env.CONDENSE_BENCH_MBPS ?? 5);
const channel = await throttledProxy(served.url, mbps * 1e6);
const engine = connectEngine();

try {
  writeFileSync(
    join(project, 'environment.yml'),
    `name: bench\nchannels:\n  - ${channel.url}\ndependencies:\n  - python 3.11.*\n  - numpy\n  - click\n  - pip\n  - setuptools\n  - wheel\n`,
  );
  writeFileSync(
    join(project, 'mypkg/pyproject.toml'),
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "mypkg"\nversion = "0.1.0"\n',
  );
  const writePackage = (text: string) =>
    writeFileSync(join(project, 'mypkg/mypkg/__init__.py'), text);
  writePackage('VALUE = 1\n');
  await writeRecipeFile(project, {
    ...defaultRecipe(),
    builderImage: FIXTURE_BUILDER_IMAGE,
    runtimeImage: FIXTURE_RUNTIME_IMAGE,
    package: { path: 'mypkg', noBuildIsolation: true },
    variants: [
      { id: 'none', prune: defaultPrune('none') },
      { id: 'safe', prune: defaultPrune('safe') },
      { id: 'safe-libpython', prune: { ...defaultPrune('safe'), add: ['libpython'] } },
      { id: 'expert', prune: defaultPrune('expert') },
    ],
  });
  // The explicit lockfile straight from the channel's manifest (its packages are listed in dependency
  // order): the benchmark measures builds, not the solver.
  const manifest = JSON.parse(
    readFileSync(join(REALISTIC_CHANNEL_DIR, 'MANIFEST.json'), 'utf8'),
  ) as {
    packages: { subdir: string; archives: { filename: string; md5: string }[] }[];
  };
  const urls = manifest.packages.map((p) => {
    const archive = p.archives.find((a) => a.filename.endsWith('.conda')) ?? p.archives[0]!;
    return `${channel.url}/${p.subdir}/${archive.filename}#${archive.md5}`;
  });
  writeFileSync(
    join(project, 'conda-linux-64.lock'),
    `# platform: linux-64\n@EXPLICIT\n${urls.join('\n')}\n`,
  );
  console.log(
    `lockfile: ${urls.length} packages from ${served.url}, paced at ${mbps ? `${mbps} MB/s` : 'disk speed'}`,
  );
  const input = await recipeBuildInput(project);
  const lockfile = join(project, 'conda-linux-64.lock');

  let mountId = '';
  const cold = () => {
    // A new lock comment changes the COPY of the lockfile; a new mount id empties the package cache.
    appendFileSync(lockfile, `# bench ${randomBytes(4).toString('hex')}\n`);
    mountId = `condense-bench-${randomBytes(4).toString('hex')}`;
  };
  const build = async (
    label: string,
    only: string[],
    smoke = false,
    concurrency = 1,
  ): Promise<number> => {
    const request: BuildStartRequest = {
      projectDir: project,
      network: 'host',
      dockerfile: input.dockerfile.replace(
        '--mount=type=cache,target=',
        `--mount=type=cache,id=${mountId},target=`,
      ),
      variants: input.variants,
      only,
      repository: 'condense-bench/build',
      concurrency,
      // An empty module list turns the derived import check off for the timing-only builds.
      smoke: { modules: smoke ? ['numpy', 'click', 'mypkg'] : [] },
    };
    const started = performance.now();
    const steps = new Map<string, BuildStep>();
    const record: BuildRecord = await buildProject({ engine: () => engine }, request, {
      signal: new AbortController().signal,
      emit: (kind, data) => {
        if (kind === 'step') steps.set((data as BuildStep).id, data as BuildStep);
      },
    });
    // Build time only: the wall time minus the smoke tests (reported separately).
    const smokeMs = record.variants.reduce(
      (sum, v) => sum + (v.smoke?.checks.reduce((t, c) => t + c.durationMs, 0) ?? 0),
      0,
    );
    const ms = performance.now() - started - smokeMs;
    console.log(
      `${label.padEnd(44)} ${formatDuration(ms).padStart(9)}  ` +
        record.variants
          .map(
            (v) =>
              `${v.id} ${formatSize(v.sizeBytes)} ${v.cachedSteps}/${v.totalSteps} cached${v.smoke ? ` smoke ${v.smoke.passed ? 'ok' : 'FAILED'}` : ''}`,
          )
          .join(', ') +
        (smoke ? ` (smoke tests ${formatDuration(smokeMs)})` : ''),
    );
    // Start-up time and peak memory beside the size, for recipes with a service check.
    for (const f of variantFigures(record).filter((x) => x.startupMs !== undefined)) {
      console.log(
        `    ${f.variant}${f.bytecode ? ` (bytecode ${f.bytecode})` : ''}: ${formatSize(f.sizeBytes)}, start-up ${formatDuration(f.startupMs!)}, peak memory ${formatSize(f.peakMemoryBytes)}`,
      );
    }
    if (process.env.CONDENSE_BENCH_STEPS) {
      // Where the time went: the slowest steps of this build.
      const timed = [...steps.values()]
        .filter((st) => st.started && st.completed && !st.cached)
        .map((st) => ({ name: st.name, ms: Date.parse(st.completed!) - Date.parse(st.started!) }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 6);
      for (const st of timed)
        console.log(`    ${formatDuration(st.ms).padStart(8)}  ${st.name.slice(0, 110)}`);
    }
    return ms;
  };

  cold();
  const coldOne = await build('cold build, one variant (safe)', ['safe']);
  writePackage(`VALUE = ${Date.now()}\n`);
  const pkg = await build("rebuild after changing the user's package", ['safe']);
  appendFileSync(lockfile, `# lock change ${randomBytes(4).toString('hex')}\n`);
  const warm = await build('rebuild after a lock change, cache mount warm', ['safe']);
  cold();
  const coldAgain = await build('cold build again (same lock change, empty cache)', ['safe']);
  cold();
  const four = await build(
    'cold build, four variants together',
    input.variants.map((v) => v.id),
    true,
  );

  cold();
  const fourParallel = await build(
    'cold build, four variants, two at a time',
    input.variants.map((v) => v.id),
    false,
    2,
  );

  console.log('');
  console.log(`user package change / cold:   ${(pkg / coldOne).toFixed(2)} (target <= 0.3)`);
  console.log(
    `lock change warm / cold:      ${(warm / coldAgain).toFixed(2)} (article: 23 s / 56 s = 0.41)`,
  );
  console.log(`four variants / one variant:  ${(four / coldAgain).toFixed(2)} (target <= 1.5)`);
  console.log(`  two at a time / one variant: ${(fourParallel / coldAgain).toFixed(2)}`);
} finally {
  // The benchmark's images are ~200 MB each: do not leave them on the engine.
  await removeRepository(engine.docker, 'condense-bench/build');
  await channel.close();
  await served.close();
  rmSync(work, { recursive: true, force: true });
}
