// An engine without BuildKit (API < 1.39) gets the classic builder and the classic Dockerfile form.
// Faked engine: this engine here has BuildKit, and the fallback is a decision, not an engine feature.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';

import { CONTEXT_DOCKERFILE } from './build-context';
import { buildProject } from './build-service';

const temp = mkdtempSync(join(tmpdir(), 'condense-classic-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function dockerfileIn(tar: Readable): Promise<string> {
  let text = '';
  const ex = extract();
  ex.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      if (header.name === CONTEXT_DOCKERFILE) text = Buffer.concat(chunks).toString();
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.pipe(ex);
  });
  return text;
}

function oldEngine() {
  const calls: { options: Record<string, unknown>; dockerfile: string }[] = [];
  const docker = {
    version: () =>
      Promise.resolve({ Version: '18.06.3', ApiVersion: '1.38', Os: 'linux', Arch: 'amd64' }),
    info: () => Promise.resolve({ NCPU: 2, MemTotal: 1e9 }),
    buildImage: async (tar: Readable, options: Record<string, unknown>) => {
      calls.push({ options, dockerfile: await dockerfileIn(tar) });
      const stream = new PassThrough();
      setImmediate(() => {
        stream.write(`${JSON.stringify({ stream: 'Step 1/2 : FROM base\n' })}\n`);
        stream.write(
          `${JSON.stringify({ stream: 'Step 2/2 : RUN mamba create && conda clean -afy\n' })}\n`,
        );
        stream.write(`${JSON.stringify({ aux: { ID: 'sha256:0123' } })}\n`);
        stream.end();
      });
      return stream;
    },
    getImage: () => ({
      tag: () => Promise.resolve(),
      inspect: () =>
        Promise.resolve({ Id: 'sha256:0123', RepoTags: ['condense/x:default'], Size: 1234 }),
      history: () =>
        Promise.resolve([{ CreatedBy: '/bin/sh -c mamba create && conda clean -afy', Size: 1000 }]),
    }),
  } as unknown as Docker;
  return {
    calls,
    engine: { docker, target: { host: 'unix:///old.sock', context: 'default', options: {} } },
  };
}

describe('engines without BuildKit', () => {
  it('build with the classic builder and the conda clean -afy form of the Dockerfile', async () => {
    const { calls, engine } = oldEngine();
    const record = await buildProject(
      { engine: () => engine },
      {
        projectDir: temp,
        dockerfile: 'FROM base\nRUN --mount=type=cache,target=/opt/conda/pkgs mamba create\n',
        classicDockerfile: 'FROM base\nRUN mamba create && conda clean -afy\n',
      },
      { signal: new AbortController().signal, emit: () => undefined },
    );
    expect(record.builder).toBe('classic');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.options).toMatchObject({ version: '1', forcerm: true });
    // No network named: the engine's default network, as on a user's machine.
    expect(calls[0]!.options.networkmode).toBeUndefined();
    expect(calls[0]!.options.pull).toBeUndefined();
    expect(calls[0]!.dockerfile).toContain('conda clean -afy');
    expect(record.variants[0]).toMatchObject({
      state: 'succeeded',
      sizeBytes: 1234,
      totalSteps: 1,
    });
    expect(record.variants[0]!.layers[0]!.createdBy).toBe('RUN mamba create && conda clean -afy');
  });

  it('refuse a Dockerfile that needs BuildKit when no classic form is given', async () => {
    const { engine } = oldEngine();
    const error = await buildProject(
      { engine: () => engine },
      { projectDir: temp, dockerfile: 'FROM base\nRUN --mount=type=cache,target=/c true\n' },
      { signal: new AbortController().signal, emit: () => undefined },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toMatch(/no BuildKit/);
  });
});
