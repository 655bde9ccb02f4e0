import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../shared/api/build';
import { runCliCaptured as cli } from '../../../test/support/cli';
import { saveBuild } from '../../services/build/history-store';

// The CLI is a door like IPC and the WebSocket: the requests its commands build from flags pass the
// contract's schemas, so a bad value is refused in one line naming the field, before any work.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-cli-contract-'));
  await writeFile(join(dir, 'environment.yml'), 'dependencies:\n  - python\n');
  process.env.DOCKER_HOST = `unix://${join(dir, 'no-docker.sock')}`;
});
afterAll(async () => {
  delete process.env.DOCKER_HOST;
  await rm(dir, { recursive: true, force: true });
});

const long = (letter: string, length: number) => letter.repeat(length);
const lockfiles = Array.from({ length: 65 }, (_, i) => `/tmp/conda-${i}.lock`);

describe('CLI flags pass the contract', () => {
  it.each([
    [
      'push --variant Bad/../V',
      ['push', '--registry', 'ghcr.io/me', '--variant', 'Bad/../V'],
      /delivery:push request: variants\[0\]/,
    ],
    ['sbom --variant ../x', ['sbom', '--variant', '../x'], /delivery:sbom request: variant /],
    ['trace --variant "A B"', ['trace', '--variant', 'A B'], /trace:start request: variant /],
    [
      'images --repository "A B"',
      ['images', '--repository', 'A B'],
      /build:images request: repository /,
    ],
    [
      'analyze --preset everything',
      ['analyze', '--preset', 'everything'],
      /recipe:analyze request: recipe\.prune\.preset /,
    ],
    [
      'dockerfile --rule everything',
      ['dockerfile', '--rule', 'everything'],
      /recipe:generate request: recipe\.prune\.add\[0\] unknown rule "everything"/,
    ],
    [
      'search <257 characters>',
      ['search', long('x', 257)],
      /channels:search request: query is longer than 256/,
    ],
    [
      'search --platform <65 characters>',
      ['search', 'numpy', '--platform', long('p', 65)],
      /channels:search request: platform /,
    ],
    [
      'import <65 lockfiles>',
      ['import', ...lockfiles],
      /lock:import request: files has more than 64 items/,
    ],
    [
      'env --platform <65 characters>',
      ['env', '--platform', long('p', 65)],
      /environment:effective request: platform /,
    ],
    [
      'init --name <65 characters>',
      ['init', '--name', long('n', 65)],
      /project:create request: name is longer than 64/,
    ],
    ['compare ../x', ['compare', '../x'], /build:compare request: buildId is not a build id/],
    [
      'compare BUILD latest',
      ['compare', '20200101-000000-abcdef', 'latest'],
      /build:compare request: other /,
    ],
  ])('condense %s is refused naming the field', async (_, args, message) => {
    const result = await cli([...args, '--project', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('valid flags still reach the service', () => {
  const build = (id: string, startedAt: string): BuildRecord => ({
    id,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1,
    state: 'succeeded',
    builder: 'buildkit',
    engine: {
      host: 'unix:///x.sock',
      context: 'default',
      version: '20.10',
      architecture: 'x86_64',
    },
    dockerfileSha256: 'a'.repeat(64),
    variants: [],
  });

  it('condense compare: the latest build, two builds, and --list', async () => {
    const project = await mkdtemp(join(tmpdir(), 'condense-cli-compare-'));
    try {
      await saveBuild(project, build('20261127-180000-aaaaaa', '2026-11-27T18:00:00.000Z'));
      await saveBuild(project, build('20261127-190000-bbbbbb', '2026-11-27T19:00:00.000Z'));
      const latest = await cli(['compare', '--json', '-C', project]);
      expect({ code: latest.code, stderr: latest.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(latest.stdout)).toMatchObject({ rows: [], layers: [] });
      const both = await cli([
        'compare',
        '--json',
        '-C',
        project,
        '20261127-180000-aaaaaa',
        '20261127-190000-bbbbbb',
      ]);
      expect({ code: both.code, stderr: both.stderr }).toEqual({ code: 0, stderr: '' });
      const list = await cli(['compare', '--list', '--json', '-C', project]);
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as { id: string }[]).map((b) => b.id)).toEqual([
        '20261127-190000-bbbbbb',
        '20261127-180000-aaaaaa',
      ]);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
