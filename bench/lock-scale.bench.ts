// Scale: lock a 20-package data-science environment against a conda-forge-sized channel served on
// 127.0.0.1 (plain repodata.json; the proxy does not serve CEP 16 shards yet). Targets from issue 3:
// cold < 5 s and < 1 GB; a second lock from the disk cache or with the app open < 1 s.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { searchPackages } from '../electron/services/channels/package-search';
import { RepodataCache } from '../electron/services/channels/repodata-cache';
import { startChannelServer } from '../fixtures/lib/channel-server';
import { ensureScaleChannel, SCALE_ENVIRONMENT } from './lock-scale-channel';

const channelDir = process.env.CONDENSE_SCALE_CHANNEL ?? join(tmpdir(), 'condense-scale-channel');
const started = performance.now();
const counts = await ensureScaleChannel(channelDir);
const size = (subdir: string) =>
  (statSync(join(channelDir, subdir, 'repodata.json')).size / 1e6).toFixed(0);
console.log(
  `channel: linux-64 ${counts.linux} records (${size('linux-64')} MB), noarch ${counts.noarch} (${size('noarch')} MB); ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const server = await startChannelServer({ root: channelDir });
const root = await mkdtemp(join(tmpdir(), 'condense-bench-scale-'));
try {
  const project = join(root, 'project');
  await mkdir(project);
  await writeFile(
    join(project, 'environment.yml'),
    `channels: [${server.url}]\ndependencies:\n${SCALE_ENVIRONMENT.map((d) => `  - ${d}\n`).join('')}`,
  );
  const cacheDir = join(root, 'cache');
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
      console.log(`${mode}: failed\n${run.stderr.slice(-2000)}`);
      continue;
    }
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      ms: number;
      packages: number;
      maxRssMB: number;
      phases: string[];
    };
    const label = {
      cold: 'cold lock (empty cache)',
      disk: 'new process, disk cache (304)',
      open: 'second lock, app open',
    }[mode];
    console.log(
      `${label}: ${(result.ms / 1000).toFixed(2)} s, ${result.packages} packages, peak RSS ${result.maxRssMB} MB`,
    );
    // CONDENSE_BENCH_PHASES=1 prints the lock's progress messages with their times.
    if (process.env.CONDENSE_BENCH_PHASES)
      for (const phase of result.phases) console.log(`  ${phase}`);
  }
  // Package search over the same cache (index from disk): what the UI's search box costs.
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
      `search "${query}": ${found.length} names in ${(performance.now() - begin).toFixed(0)} ms (first search in a process)`,
    );
  }
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}
