// Issue 15: `condense lock` at conda-forge scale against rattler's raw solve, measured in one run on
// a generated channel (465,000 records per platform subdir, noarch beside) served on 127.0.0.1 by a
// static file server WITHOUT ETags or Cache-Control (Last-Modified only), like many mirrors.
// Every lock is the built CLI in a new process (Node start-up included), peak RSS from that process.
// Targets: warm lock in a new process <= 1 s and <= 0.2x raw; cold <= 1.0x raw and <= 600 MB;
// four platforms <= 1.5x one platform, cold and warm; `condense --help` < 150 ms. One more line
// locks from the channel as repodata.json.zst, as conda-forge serves it (needs the zstd program).
// CONDENSE_SPEED_RECORDS=50000 runs it on a smaller channel (for iterating).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import * as esbuild from 'esbuild';

import { nativeZstd } from '../electron/services/channels/zstd-decode';
import { startChannelServer } from '../fixtures/lib/channel-server';
import { cliBuildOptions } from '../scripts/cli-build-options.mjs';
import {
  ensureScaleChannel,
  EXTRA_PLATFORMS,
  LINUX_TARGET,
  NOARCH_TARGET,
  SCALE_ENVIRONMENT,
} from './lock-scale-channel';

const run = promisify(execFile);

/**
 * `<channel>-zst`: linux-64 and noarch as repodata.json.zst only (made once by the zstd program at
 * its default level), or undefined without the program.
 */
async function zstdChannel(channel: string): Promise<string | undefined> {
  const dir = `${channel}-zst`;
  for (const subdir of ['linux-64', 'noarch']) {
    const target = join(dir, subdir, 'repodata.json.zst');
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    )
      continue;
    await mkdir(join(dir, subdir), { recursive: true });
    try {
      await run('zstd', [
        '-q',
        '-T2',
        '-f',
        join(channel, subdir, 'repodata.json'),
        '-o',
        `${target}.part`,
      ]);
    } catch {
      return undefined;
    }
    await rename(`${target}.part`, target);
  }
  return dir;
}
const root = join(import.meta.dirname, '..');
const records = Number(process.env.CONDENSE_SPEED_RECORDS ?? LINUX_TARGET);
const channelDir =
  process.env.CONDENSE_SPEED_CHANNEL ?? join(tmpdir(), `condense-speed-channel-${records}`);
const ALL = ['linux-64', ...EXTRA_PLATFORMS];

const begin = performance.now();
await ensureScaleChannel(channelDir, {
  extraPlatforms: EXTRA_PLATFORMS,
  records,
  noarchRecords: Math.round((records * NOARCH_TARGET) / LINUX_TARGET),
});
console.log(
  `channel: ${records} records per platform (${ALL.join(', ')}) + noarch, ready in ${((performance.now() - begin) / 1000).toFixed(1)} s`,
);

// The CLI as `npm run build` bundles it, in a folder of its own so out/cli is left alone.
const cli = join(root, 'out', 'bench-cli', 'index.mjs');
await esbuild.build({
  ...cliBuildOptions(root),
  entryPoints: [join(root, 'electron/cli/index.ts')],
  outdir: join(root, 'out', 'bench-cli'),
  logLevel: 'warning',
});

const server = await startChannelServer({ root: channelDir, etag: false, cacheControl: null });
const tmp = await mkdtemp(join(tmpdir(), 'condense-bench-speed-'));

interface Measured {
  ms: number;
  rssMB: number;
  /** CPU time (user + system) of the process. */
  cpuMs?: number;
}

/** One `condense` run in a new process: wall time from spawn to exit, and its peak RSS. */
async function condense(args: string[], cacheDir: string): Promise<Measured & { stderr: string }> {
  const rssFile = join(tmp, 'rss');
  const started = performance.now();
  const result = await run(
    process.execPath,
    ['--import', join(root, 'bench', 'rss-hook.mjs'), cli, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, CONDENSE_CACHE_DIR: cacheDir, CONDENSE_BENCH_RSS: rssFile },
      maxBuffer: 1 << 24,
    },
  );
  const ms = performance.now() - started;
  const usage = JSON.parse(await readFile(rssFile, 'utf8')) as { maxRSS: number; cpuMs: number };
  return { ms, rssMB: Math.round(usage.maxRSS / 1024), cpuMs: usage.cpuMs, stderr: result.stderr };
}

async function project(name: string, url = server.url): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir);
  await writeFile(
    join(dir, 'environment.yml'),
    `channels: [${url}]\ndependencies:\n${SCALE_ENVIRONMENT.map((d) => `  - ${d}\n`).join('')}`,
  );
  return dir;
}

const lockedUrls = async (dir: string, platform: string) =>
  (await readFile(join(dir, `conda-${platform}.lock`), 'utf8'))
    .split('\n')
    .filter((l) => l.startsWith('http'))
    .map((l) => l.split('#')[0]!)
    .sort();

const s = (m: Measured) =>
  `${(m.ms / 1000).toFixed(2)} s${m.cpuMs === undefined ? '' : ` (CPU ${(m.cpuMs / 1000).toFixed(2)} s)`}, ${m.rssMB} MB`;
const ratio = (a: Measured, b: Measured) =>
  `${(a.ms / b.ms).toFixed(2)}x${a.cpuMs && b.cpuMs ? `, CPU ${(a.cpuMs / b.cpuMs).toFixed(2)}x` : ''}`;

try {
  // condense --help: the CLI's start-up alone (best of three).
  // Against `node -e 0` measured alongside: on a busy machine Node's own start-up varies most.
  const help: Measured[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) {
    help.push(await condense(['--help'], join(tmp, 'none')));
    const started = performance.now();
    await run(process.execPath, ['-e', '0']);
    bare.push(performance.now() - started);
  }
  const best = help.reduce((a, b) => (a.ms < b.ms ? a : b));
  console.log(
    `condense --help: ${best.ms.toFixed(0)} ms (CPU ${best.cpuMs} ms); node -e 0: ${Math.min(...bare).toFixed(0)} ms`,
  );

  const rawRun = await run(
    'npx',
    ['tsx', join(root, 'bench', 'lock-speed-raw.ts'), server.url, 'linux-64', ...SCALE_ENVIRONMENT],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const raw = JSON.parse(rawRun.stdout.trim().split('\n').pop()!) as {
    ms: number;
    cpuMs: number;
    packages: string[];
    maxRssMB: number;
  };
  const rawM: Measured = { ms: raw.ms, rssMB: raw.maxRssMB, cpuMs: raw.cpuMs };
  console.log(`raw simpleSolve (linux-64): ${s(rawM)}, ${raw.packages.length} packages`);

  const one = await project('one');
  const lock = (dir: string, platforms: string[], cache: string, extra: string[] = []) =>
    condense(
      ['lock', '--project', dir, ...platforms.flatMap((p) => ['--platform', p]), ...extra],
      cache,
    );
  const cold = await lock(one, ['linux-64'], join(tmp, 'cache-one'));
  const same = JSON.stringify(await lockedUrls(one, 'linux-64')) === JSON.stringify(raw.packages);
  console.log(
    `condense lock cold: ${s(cold)} (${ratio(cold, rawM)} raw; same packages as raw: ${same})`,
  );
  const warm = await lock(one, ['linux-64'], join(tmp, 'cache-one'));
  console.log(`condense lock warm, new process: ${s(warm)} (${ratio(warm, rawM)} raw)`);
  const refreshed = await lock(one, ['linux-64'], join(tmp, 'cache-one'), ['--refresh']).catch(
    (error: Error) => ({ ms: NaN, rssMB: NaN, stderr: error.message }),
  );
  console.log(
    `condense lock warm, new process, --refresh (revalidated, 304): ${s(refreshed)} (${ratio(refreshed, rawM)} raw)`,
  );
  // conda-forge serves repodata.json.zst, which the lock fetches first: the same channel compressed
  // by the zstd program (when it is installed), for what decoding adds on this Node.
  const zstChannel = await zstdChannel(channelDir);
  if (zstChannel) {
    const zstServer = await startChannelServer({
      root: zstChannel,
      etag: false,
      cacheControl: null,
    });
    try {
      const zstProject = await project('zst', zstServer.url);
      const zst = await lock(zstProject, ['linux-64'], join(tmp, 'cache-zst'));
      console.log(
        `condense lock cold, repodata.json.zst (as conda-forge serves it): ${s(zst)} (${ratio(zst, rawM)} raw; ${nativeZstd ? "Node's libzstd" : 'fzstd'})`,
      );
    } finally {
      await zstServer.close();
    }
  } else console.log('condense lock cold, repodata.json.zst: skipped (no zstd program to make it)');
  const open = await run(
    'npx',
    ['tsx', join(root, 'bench', 'lock-scale-run.ts'), one, join(tmp, 'cache-one'), 'open'],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const openM = JSON.parse(open.stdout.trim().split('\n').pop()!) as {
    ms: number;
    maxRssMB: number;
  };
  console.log(
    `condense lock warm, app open (second lock in-process): ${s({ ms: openM.ms, rssMB: openM.maxRssMB })}`,
  );

  const four = await project('four');
  const cold4 = await lock(four, ALL, join(tmp, 'cache-four'));
  console.log(`four platforms cold: ${s(cold4)} (${ratio(cold4, cold)} one platform)`);
  const warm4 = await lock(four, ALL, join(tmp, 'cache-four'));
  console.log(`four platforms warm, new process: ${s(warm4)} (${ratio(warm4, warm)} one platform)`);
  const refreshed4 = await lock(four, ALL, join(tmp, 'cache-four'), ['--refresh']).catch(
    (error: Error) => ({ ms: NaN, rssMB: NaN, stderr: error.message }),
  );
  console.log(
    `four platforms warm, --refresh: ${s(refreshed4)} (${ratio(refreshed4, refreshed)} one platform)`,
  );
  const same4 = JSON.stringify(await lockedUrls(four, 'linux-64')) === JSON.stringify(raw.packages);
  console.log(`four-platform lock's linux-64 matches raw: ${same4}`);
  if (process.env.CONDENSE_BENCH_PHASES) console.log(cold.stderr, warm.stderr, cold4.stderr);
} finally {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
}
