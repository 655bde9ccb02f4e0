// Lock time of the fixture environment: cold (empty cache), from the disk cache (new process, 304s),
// and while the app stays open (same cache object). Figures only; never fails on timing.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RepodataCache } from '../electron/services/channels/repodata-cache';
import { lockProject } from '../electron/services/lock/lock-service';
import { startChannelServer } from '../fixtures/lib/channel-server';
import { createSyntheticChannel } from '../fixtures/synthetic/synthetic-channel';
import { REALISTIC_CHANNEL_DIR } from '../test/support/channels';

const RUNS = 5;

async function bench(label: string, channelDir: string, deps: string[]) {
  const root = await mkdtemp(join(tmpdir(), 'condense-bench-lock-'));
  const server = await startChannelServer({ root: channelDir });
  try {
    const project = join(root, 'project');
    await mkdir(project);
    await writeFile(
      join(project, 'environment.yml'),
      `channels: [${server.url}]\ndependencies:\n${deps.map((d) => `  - ${d}\n`).join('')}`,
    );
    const time = async (cache: RepodataCache) => {
      const started = performance.now();
      const result = await lockProject({ projectDir: project, updateAll: true }, {}, { cache });
      return { ms: performance.now() - started, packages: result.platforms[0]!.packages };
    };
    const cold: number[] = [];
    const disk: number[] = [];
    const open: number[] = [];
    let packages = 0;
    for (let i = 0; i < RUNS; i++) {
      const cacheDir = join(root, `cache-${i}`);
      const c = await time(new RepodataCache({ dir: cacheDir }));
      cold.push(c.ms);
      packages = c.packages;
      disk.push((await time(new RepodataCache({ dir: cacheDir }))).ms);
      const shared = new RepodataCache({ dir: cacheDir });
      await time(shared);
      open.push((await time(shared)).ms);
    }
    const median = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
    console.log(
      `${label}: ${deps.join(' ')} -> ${packages} packages; median of ${RUNS}: cold ${median(cold)} ms, disk cache (304) ${median(disk)} ms, app open (memory) ${median(open)} ms`,
    );
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

const synthetic = await mkdtemp(join(tmpdir(), 'condense-bench-synthetic-'));
const writing = performance.now();
await createSyntheticChannel(synthetic);
// Budget about 3 s (about 1 s on an idle 2-core machine); the test only checks the bytes.
console.log(
  `synthetic channel written in ${((performance.now() - writing) / 1000).toFixed(2)} s (budget 3 s)`,
);
await bench('synthetic channel', synthetic, ['python=3.11', 'numpy', 'pip']);
await rm(synthetic, { recursive: true, force: true });
if (existsSync(join(REALISTIC_CHANNEL_DIR, 'noarch', 'repodata.json'))) {
  await bench('realistic channel', REALISTIC_CHANNEL_DIR, ['python=3.11', 'numpy']);
} else {
  console.log(
    `realistic channel: skipped (not built at ${REALISTIC_CHANNEL_DIR}; npm run fixtures)`,
  );
}
