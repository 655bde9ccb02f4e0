import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCliCaptured as cli } from '../../../test/support/cli';

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

describe('CLI flags pass the contract', () => {
  it.each([
    [
      ['push', '--registry', 'ghcr.io/me', '--variant', 'Bad/../V'],
      /delivery:push request: variants\[0\]/,
    ],
    [['sbom', '--variant', '../x'], /delivery:sbom request: variant /],
    [['trace', '--variant', 'A B'], /trace:start request: variant /],
    [['images', '--repository', 'A B'], /build:images request: repository /],
  ])('condense %j is refused naming the field', async (args, message) => {
    const result = await cli([...args, '--project', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
