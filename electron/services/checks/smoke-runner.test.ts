import { hostname } from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { ensureTestImages, TEST_BASE_IMAGE } from '../../../test/support/test-images';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { removeLeftoverChecks } from './check-container';
import { runSmokeTests } from './smoke-runner';

const hasDocker = available('Docker', dockerRequirement());
let engine: Engine;

beforeAll(async () => {
  if (!hasDocker) return;
  engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
  await ensureTestImages(engine.docker);
});
afterAll(async () => {
  if (hasDocker) await removeLeftoverChecks(engine, new Set());
});

const containers = async () =>
  (await engine.docker.listContainers({ all: true, filters: { label: ['org.condense.check'] } }))
    .length;

describe.runIf(hasDocker)('smoke checks (real engine)', () => {
  it('stops a check command that serves instead of exiting at its deadline, saying what to use', async () => {
    const result = await runSmokeTests({
      engine,
      imageId: TEST_BASE_IMAGE,
      spec: {
        command: ['/bin/sh', '-c', 'echo serving on 8000; sleep 600'],
        // Long enough for a loaded machine to start the container and echo before the deadline
        // (the output is checked below); 2 s might not be.
        commandTimeoutSeconds: 10,
      },
    });
    expect(result.passed).toBe(false);
    const [check] = result.checks;
    expect(check).toMatchObject({ kind: 'command', passed: false, exitCode: -1, timedOut: true });
    expect(check!.output).toContain('serving on 8000');
    expect(check!.output).toMatch(
      /still running after 10 s, so it was stopped: a check command must exit/,
    );
    expect(check!.output).toMatch(/set port: and service: in condense\.yml/);
    expect(await containers()).toBe(0);
  });

  it('runs smoke tests with no network: only the loopback interface', async () => {
    const result = await runSmokeTests({
      engine,
      imageId: TEST_BASE_IMAGE,
      spec: { command: ['/bin/sh', '-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"] },
    });
    expect(result.checks[0]!.output.trim().split('\n')).toEqual(['lo']);
    expect(await containers()).toBe(0);
  });

  it('removes check containers a killed Condense left behind', async () => {
    const left = await engine.docker.createContainer({
      Image: TEST_BASE_IMAGE,
      Cmd: ['sleep', '600'],
      // A process id that no longer runs on this machine.
      Labels: {
        'org.condense.check': 'service',
        'org.condense.owner': `${hostname()}:999999999`,
      },
      HostConfig: { NetworkMode: 'none' },
    });
    await left.start();
    expect(await removeLeftoverChecks(engine)).toEqual([left.id]);
    expect(await containers()).toBe(0);
  });
});
