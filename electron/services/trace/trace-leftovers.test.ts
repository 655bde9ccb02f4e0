import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TRACE_IMAGE_LABEL, TRACE_OWNER_LABEL } from '../../../shared/trace/tracer';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { ensureTestImages, TEST_BASE_IMAGE } from '../../../test/support/test-images';
import { createBuildContext } from '../build/build-context';
import { runBuild } from '../build/run-build';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { removeLeftoverTraceImages } from './tracer-image';

// A trace killed with -9 (or past the CLI's grace after SIGTERM) cannot remove its trace image: the
// next trace removes it, and only it: another live trace's image and unattributed images stay.

const hasDocker = available('Docker', dockerRequirement());
const temp = mkdtempSync(join(tmpdir(), 'condense-trace-leftovers-'));
let engine: Engine;
const made: string[] = [];

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  for (const id of made)
    await engine.docker
      .getImage(id)
      .remove({ force: true })
      .catch(() => 0);
});

/** An untagged image labelled as a trace image of `owner` (a distinct one each call). */
async function traceImage(owner: string | undefined): Promise<string> {
  const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo ${Date.now()}-${Math.random()} > /marker\n`;
  const context = await createBuildContext({ projectDir: temp, dockerfile });
  const { imageId } = await runBuild({
    engine,
    context: context.stream,
    dockerfile,
    builder: 'buildkit',
    network: 'host',
    labels: {
      [TRACE_IMAGE_LABEL]: 'condense-test/trace-leftovers:x',
      ...(owner ? { [TRACE_OWNER_LABEL]: owner } : {}),
    },
  });
  made.push(imageId);
  return imageId;
}

const exists = (id: string) =>
  engine.docker
    .getImage(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe.runIf(hasDocker)('leftover trace images', () => {
  it('removes those of dead traces on this machine, keeps live and unattributed ones', async () => {
    // A pid no process has (beyond pid_max), a live one (this test's parent), another machine's.
    const dead = await traceImage(`${hostname()}:4194305`);
    const live = await traceImage(`${hostname()}:${process.ppid}`);
    const remote = await traceImage('another-host:1234');
    const unowned = await traceImage(undefined);
    const removed = await removeLeftoverTraceImages(engine);
    expect(removed).toContain(dead);
    expect(await exists(dead)).toBe(false);
    for (const kept of [live, remote, unowned]) {
      expect(removed).not.toContain(kept);
      expect(await exists(kept)).toBe(true);
    }
  }, 120_000);
});
