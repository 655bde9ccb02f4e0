// Scale: lock a 20-package data-science environment against a conda-forge-sized channel served on
// 127.0.0.1, once as plain repodata.json and once as repodata.json.zst (what conda-forge serves).
// CEP 16 shards are not served by this channel: Condense cuts repodata to the records reachable from
// the specs itself. Targets from issue 3: cold < 5 s and < 1 GB; a second lock from the disk cache or
// with the app open < 1 s. Each lock runs in its own process so peak RSS belongs to it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { searchPackages } from '../electron/services/channels/package-search';
import { RepodataCache } from '../electron/services/channels/repodata-cache';
import { startChannelServer } from '../fixtures/lib/channel-server';
import { ensureScaleChannel, SCALE_ENVIRONMENT } from './lock-scale-channel';
import { ensureShardedScaleChannel } from './lock-scale-shards';

const channelDir = process.env.CONDENSE_SCALE_CHANNEL ?? join(tmpdir(), 'condense-scale-channel');
const started = performance.now();
const counts = await ensureScaleChannel(channelDir);
const size = (dir: string, file: string) => (statSync(join(dir, file)).size / 1e6).toFixed(0);
console.log(
  `channel: linux-64 ${counts.linux} records (${size(channelDir, 'linux-64/repodata.json')} MB), noarch ${counts.noarch} (${size(channelDir, 'noarch/repodata.json')} MB); ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// The same channel with only repodata.json.zst, made with the zstd tool when it is installed.
const zstDir = `${channelDir}-zst`;
let zst = existsSync(join(zstDir, 'noarch', 'repodata.json.zst'));
if (!zst) {
  try {
    for (const subdir of ['linux-64', 'noarch']) {
      await mkdir(join(zstDir, subdir), { recursive: true });
      const input = join(channelDir, subdir, 'repodata.json');
      execFileSync('zstd', [
        '-q',
        '-f',
        '-3',
        '-T2',
        input,
        '-o',
        join(zstDir, subdir, 'repodata.json.zst'),
      ]);
    }
    zst = true;
  } catch {
    console.log('zst channel: skipped (no zstd tool)');
  }
}

async function measure(label: string, root: string, tmp: string): Promise<void> {
  const server = await startChannelServer({ root });
  const project = join(tmp, `project-${label}`);
  await mkdir(project);
  await writeFile(
    join(project, 'environment.yml'),
    `channels: [${server.url}]\ndependencies:\n${SCALE_ENVIRONMENT.map((d) => `  - ${d}\n`).join('')}`,
  );
  const cacheDir = join(tmp, `cache-${label}`);
  try {
    for (const mode of ['cold', 'disk', 'open']) {
      // Asynchronous: the channel server runs in this process and must keep answering.
      const run = await promisify(execFile)(
        'npx',
        ['tsx', join(import.meta.dirname, 'lock-scale-run.ts'), project, cacheDir, mode],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      ).catch((error: Error & { stderr?: string }) => ({
        stdout: '',
        stderr: error.stderr ?? error.message,
        failed: true,
      }));
      if ('failed' in run) {
        console.log(`${label} ${mode}: failed\n${run.stderr.slice(-2000)}`);
        continue;
      }
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
        ms: number;
        packages: number;
        maxRssMB: number;
        phases: string[];
      };
      const what = {
        cold: 'cold lock (empty cache)',
        disk: 'new process, disk cache (304)',
        open: 'second lock, app open',
      }[mode];
      console.log(
        `${label}: ${what}: ${(result.ms / 1000).toFixed(2)} s, ${result.packages} packages, peak RSS ${result.maxRssMB} MB`,
      );
      // CONDENSE_BENCH_PHASES=1 prints the lock's progress messages with their times.
      if (process.env.CONDENSE_BENCH_PHASES) {
        for (const phase of result.phases) console.log(`  ${phase}`);
      }
    }
    if (label === 'plain') {
      // Package search in a new cache object on the same folder (index from disk): the UI's search box.
      const cache = new RepodataCache({ dir: cacheDir });
      for (const query of ['numpy', 'py']) {
        const begin = performance.now();
        const found = await searchPackages({
          query,
          channels: [{ name: server.url, fetchUrl: server.url, publicUrl: server.url }],
          platform: 'linux-64',
          cache,
        });
        console.log(
          `search "${query}": ${found.length} names in ${(performance.now() - begin).toFixed(0)} ms`,
        );
      }
    }
  } finally {
    await server.close();
  }
}

const tmp = await mkdtemp(join(tmpdir(), 'condense-bench-scale-'));
try {
  await measure('plain', channelDir, tmp);
  if (zst) await measure('zst', zstDir, tmp);
  const shardDir = `${channelDir}-shards`;
  const shardStart = performance.now();
  if (await ensureShardedScaleChannel(channelDir, shardDir)) {
    console.log(
      `sharded channel ready in ${((performance.now() - shardStart) / 1000).toFixed(1)} s`,
    );
    await measure('shards', shardDir, tmp);
  } else console.log('sharded channel: skipped (no zstd tool)');
} finally {
  await rm(tmp, { recursive: true, force: true });
}
