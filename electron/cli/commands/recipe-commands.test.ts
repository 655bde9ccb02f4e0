import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SavingsReport } from '../../../shared/api/recipe';
import type { ServedChannel } from '../../../test/support/channels';
import { serveSyntheticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';
import {
  githubWorkflowErrors,
  gitlabCiErrors,
  spdxErrors,
} from '../../../test/support/delivery-checks';

const cli = runCliCaptured;

let root: string;
let project: string;
let channel: ServedChannel;
const previousCache = process.env.CONDENSE_CACHE_DIR;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-cli-recipe-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
  channel = await serveSyntheticChannel();
  project = join(root, 'project');
  await mkdir(project);
  await writeFile(
    join(project, 'environment.yml'),
    'name: svc\nchannels: [conda-forge]\ndependencies: [numpy]\n',
  );
  await writeFile(
    join(project, 'condense.yml'),
    '# hand-written\nversion: 1\nprune:\n  preset: expert\nentrypoint:\n  preset: module\n  module: svc.main\n',
  );
  const data = JSON.parse(
    await readFile(join(channel.dir, 'linux-64', 'repodata.json'), 'utf8'),
  ) as {
    'packages.conda': Record<string, { name: string; md5: string }>;
  };
  const lines = Object.entries(data['packages.conda'])
    .filter(([file]) => /^(numpy-.*py311|python-3\.11|libopenblas|uvloop-.*py311)/.test(file))
    .map(([file, record]) => `${channel.url}/linux-64/${file}#${record.md5}`);
  expect(lines.length).toBeGreaterThanOrEqual(3);
  await writeFile(
    join(project, 'conda-linux-64.lock'),
    `# platform: linux-64\n@EXPLICIT\n${lines.join('\n')}\n`,
  );
});

afterAll(async () => {
  if (previousCache === undefined) delete process.env.CONDENSE_CACHE_DIR;
  else process.env.CONDENSE_CACHE_DIR = previousCache;
  await channel?.close();
  await rm(root, { recursive: true, force: true });
});

describe('condense dockerfile', () => {
  it("prints the recipe's Dockerfile, with prune options applied", async () => {
    const plain = await cli(['dockerfile', '--project', project]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('rm -rf /env/lib/libpython*.so*');
    expect(plain.stdout).toContain('CMD ["/env/bin/python", "-m", "svc.main"]');
    const tuned = await cli([
      'dockerfile',
      '--project',
      project,
      '--no-rule',
      'libpython',
      '--classic',
    ]);
    expect(tuned.stdout).not.toContain('libpython');
    expect(tuned.stdout).toContain('&& conda clean -afy');
    const none = await cli([
      'dockerfile',
      '--project',
      project,
      '--preset',
      'none',
      '--rule',
      'pip',
    ]);
    expect(none.stdout.match(/^(RUN | && )(rm|find) /gm)).toHaveLength(1);
    expect(none.stdout).toContain('rm -rf /env/lib/python*/site-packages/pip');
  });

  it('fails with the field named for a bad option', async () => {
    const bad = await cli(['dockerfile', '--project', project, '--rule', 'everything']);
    expect(bad.code).toBe(1);
    // The contract's message (recipe:generate), as the app's door gives it.
    expect(bad.stderr).toMatch(/recipe\.prune\.add\[0\] unknown rule "everything"/);
  });

  it('prints the .dockerignore', async () => {
    const ignore = await cli(['dockerfile', '--project', project, '--dockerignore']);
    expect(ignore.stdout).toContain('!conda-linux-64.lock');
  });
});

describe('condense analyze', () => {
  it('prints the per-rule table and JSON with the same numbers', async () => {
    const table = await cli(['analyze', '--project', project]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\*\s+static-libs\s+low\s+[\d.]+ (B|KiB|MiB)/m);
    expect(table.stdout).toMatch(/Selected rules \(\*\) remove [\d.]+ (B|KiB|MiB)/);
    const json = await cli(['analyze', '--project', project, '--json']);
    const report = JSON.parse(json.stdout) as SavingsReport;
    expect(report.cachedPackages).toBe(report.packages);
    const tests = report.rules.find((r) => r.ruleId === 'package-tests')!;
    expect(tests.bytes).toBeGreaterThan(0);
    expect(tests.owners.map((o) => o.name)).toContain('numpy');
    const safe = JSON.parse(
      (await cli(['analyze', '--project', project, '--json', '--preset', 'safe'])).stdout,
    ) as SavingsReport;
    expect(safe.selections[0]!.bytes).toBeLessThan(report.selections[0]!.bytes);
  });
});

describe('condense export', () => {
  it('writes the files, refuses to overwrite, and overwrites with --force', async () => {
    const dir = join(root, 'out');
    const first = await cli(['export', dir, '--project', project]);
    expect(first.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(
      [
        '.dockerignore',
        '.github',
        '.gitlab-ci.yml',
        'Dockerfile',
        'Dockerfile.classic',
        'README.md',
        'conda-linux-64.lock',
        'environment.yml',
        'sbom.spdx.json',
      ].sort(),
    );
    expect(await readdir(join(dir, '.github', 'workflows'))).toEqual(['condense-image.yml']);
    const sbom = JSON.parse(await readFile(join(dir, 'sbom.spdx.json'), 'utf8')) as {
      spdxVersion: string;
      packages: unknown[];
    };
    expect(sbom.spdxVersion).toBe('SPDX-2.3');
    expect(sbom.packages.length).toBeGreaterThan(1);
    // The exported files as written, against their schemas.
    expect(spdxErrors(sbom)).toEqual([]);
    expect(gitlabCiErrors(await readFile(join(dir, '.gitlab-ci.yml'), 'utf8'))).toEqual([]);
    expect(
      githubWorkflowErrors(
        await readFile(join(dir, '.github', 'workflows', 'condense-image.yml'), 'utf8'),
      ),
    ).toEqual([]);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('## Delivery');
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe(
      (await cli(['dockerfile', '--project', project])).stdout,
    );
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toMatch(
      /DOCKER_BUILDKIT=1 docker build -t project \./,
    );
    await writeFile(join(dir, 'Dockerfile'), 'mine\n');
    const again = await cli(['export', dir, '--project', project]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has Dockerfile.*--force/);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe('mine\n');
    const forced = await cli(['export', dir, '--project', project, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).not.toBe('mine\n');
  });

  it('needs a lockfile', async () => {
    const bare = join(root, 'bare');
    await mkdir(bare);
    await writeFile(join(bare, 'environment.yml'), 'name: x\n');
    const result = await cli(['export', join(root, 'out2'), '--project', bare]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No lockfile conda-linux-64.lock.*condense lock/);
  });
});
