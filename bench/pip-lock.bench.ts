// pip lock time for ten requirements once the conda environment image is cached, a relock with no
// change (goal < 2 s), and what a pip run costs: the container and `conda run` overhead alone.
// Needs Docker (DOCKER_HOST) with the fixture images, the realistic channel and the pip index.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RepodataCache } from '../electron/services/channels/repodata-cache';
import { connectEngine } from '../electron/services/docker/engine';
import { lockProject } from '../electron/services/lock/lock-service';
import { condaEnvImage, runContainer } from '../electron/services/pip/container';
import { startChannelServer } from '../fixtures/lib/channel-server';
import { REALISTIC_CHANNEL_DIR } from '../test/support/channels';
import { FIXTURE_BUILDER_IMAGE } from '../test/support/docker';
import {
  PRIVATE_LOGIN,
  PYPI_INDEX_DIR,
  servePypiIndexes,
  writePipProject,
} from '../test/support/pypi';

const TEN = [
  'jinja2',
  'requests',
  'attrs',
  'packaging',
  'tabulate',
  'condense-demo[http]',
  'pinme',
  'idna',
  'certifi',
  'acme-internal',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

if (
  !existsSync(join(REALISTIC_CHANNEL_DIR, 'MANIFEST.json')) ||
  !existsSync(join(PYPI_INDEX_DIR, 'public'))
) {
  console.log('pip lock: skipped (build the fixtures: npm run fixtures)');
  process.exit(0);
}
const engine = connectEngine();
try {
  await engine.docker.getImage(FIXTURE_BUILDER_IMAGE).inspect();
} catch {
  console.log(
    `pip lock: skipped (no ${FIXTURE_BUILDER_IMAGE} on ${engine.target.host}: bash fixtures/images/build.sh)`,
  );
  process.exit(0);
}
const root = await mkdtemp(join(tmpdir(), 'condense-bench-pip-'));
const channel = await startChannelServer({ root: REALISTIC_CHANNEL_DIR });
const indexes = (await servePypiIndexes())!;
process.env.PIP_LOGIN = PRIVATE_LOGIN;
process.env.PIP_TOKEN = indexes.token;
try {
  const project = join(root, 'project');
  await writePipProject(project, channel.url, indexes, TEN);
  const cache = new RepodataCache({ dir: join(root, 'repodata') });
  const lock = async (updateAll: boolean) => {
    const started = performance.now();
    await lockProject(
      { projectDir: project, platforms: ['linux-64'], updateAll },
      {},
      { cache, engine },
    );
    return performance.now() - started;
  };
  const first = await lock(true);
  const full: number[] = [];
  for (let i = 0; i < 3; i++) full.push(await lock(true));
  const relock: number[] = [];
  for (let i = 0; i < 5; i++) relock.push(await lock(false));

  // The same conda environment without the pip section: the conda share of a lock.
  const condaOnly = join(root, 'conda-only');
  await writePipProject(condaOnly, channel.url, indexes, []);
  const env = (await readFile(join(condaOnly, 'environment.yml'), 'utf8')).replace(
    / {2}- pip:\n( {4}- .*\n)*/,
    '',
  );
  await writeFile(join(condaOnly, 'environment.yml'), env);
  const conda: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await lockProject(
      { projectDir: condaOnly, platforms: ['linux-64'], updateAll: true },
      {},
      { cache },
    );
    conda.push(performance.now() - started);
  }
  // A container of the cached image running only `pip --version`: start, conda run, Python start.
  const explicit = await readFile(join(project, 'conda-linux-64.lock'), 'utf8');
  const image = await condaEnvImage({
    engine,
    builderImage: FIXTURE_BUILDER_IMAGE,
    prefix: '/env',
    condaLock: explicit,
    network: 'host',
  });
  const overhead: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await runContainer({
      engine,
      image,
      command: ['conda', 'run', '-p', '/env', 'python', '-m', 'pip', '--version'],
      files: {},
      network: 'host',
      deadlineMs: 60_000,
      what: 'pip --version',
    });
    overhead.push(performance.now() - started);
  }
  const pipPackages =
    (await readFile(join(project, 'conda-lock.yml'), 'utf8')).match(/manager: pip/g)?.length ?? 0;
  console.log(
    `pip lock, ${TEN.length} requirements -> ${pipPackages} pip packages (conda env image cached): ` +
      `first ${fmt(first)}, full lock median ${fmt(median(full))} (conda solve alone ${fmt(median(conda))}, ` +
      `one container with conda run + pip --version ${fmt(median(overhead))}); ` +
      `relock with no change median of 5: ${fmt(median(relock))} (goal < 2 s)`,
  );
} finally {
  delete process.env.PIP_TOKEN;
  await channel.close();
  await indexes.close();
  await rm(root, { recursive: true, force: true });
}
