import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BuildRecord } from '../../../shared/api/build';
import { defaultRecipe } from '../../../shared/recipe/model';
import { runCliCaptured } from '../../../test/support/cli';
import {
  registryRequirement,
  startRegistry,
  type TestRegistry,
} from '../../../test/support/registry';
import { available, dockerHost, dockerRequirement } from '../../../test/support/requirements';
import { ensureTestImages, TEST_BASE_IMAGE } from '../../../test/support/test-images';
import { saveBuild } from '../build/history-store';
import type { Engine } from '../docker/engine';
import { connectEngine } from '../docker/engine';
import { writeRecipeFile } from '../recipe/recipe-file';
import type { PushProgress } from './push';
import { pushError, pushVariants, splitRegistry, withRetries } from './push';
import { DOCKER_CERTS_D } from './registry-client';

describe('registry references and push errors', () => {
  it('splits host and path, and refuses what is no registry', () => {
    expect(splitRegistry('ghcr.io/my-org')).toEqual({ host: 'ghcr.io', path: 'my-org' });
    expect(splitRegistry('https://127.0.0.1:5000/')).toEqual({ host: '127.0.0.1:5000', path: '' });
    expect(() => splitRegistry('not a registry')).toThrow(/host\[:port\]\[\/path\]/);
    expect(() => splitRegistry('ghcr.io/My_Org')).toThrow(/lower-case/);
  });

  it('says what to do for auth, TLS, unknown repository and quota, never echoing a secret', () => {
    expect(pushError('unauthorized: authentication required', 'r.io', 'a/b')).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('docker login r.io') as unknown,
    });
    expect(pushError('x509: certificate signed by unknown authority', 'r.io', 'a/b').code).toBe(
      'TLS_FAILED',
    );
    expect(
      pushError('name unknown: repository name not known to registry', 'r.io', 'a/b').code,
    ).toBe('NOT_FOUND');
    expect(pushError('denied: storage quota exceeded', 'r.io', 'a/b').code).toBe('QUOTA_EXCEEDED');
    for (const tooLarge of [
      "error parsing HTTP 413 response body: invalid character '<' looking for beginning of value",
      'failed to copy: unexpected status: 413 Request Entity Too Large',
    ])
      expect(pushError(tooLarge, 'r.io', 'a/b').code, tooLarge).toBe('QUOTA_EXCEEDED');
  });

  it('reads a refused connection as unreachable, whatever digits its port has', () => {
    for (const port of [41357, 4130, 5413])
      expect(
        pushError(
          `Get "https://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
          `127.0.0.1:${port}`,
          'app',
        ).code,
        `port ${port}`,
      ).toBe('REGISTRY_UNREACHABLE');
  });
});

const ready =
  available('Docker', dockerRequirement()) && available('a local registry', registryRequirement());

describe('retries', () => {
  const describeError = (m: string) => pushError(m, 'r.example', 'app');
  it('tries again after transient errors, and not after others', async () => {
    let calls = 0;
    const flaky = () => {
      calls += 1;
      if (calls < 3)
        return Promise.reject(
          new Error('received unexpected HTTP status: 503 Service Unavailable'),
        );
      return Promise.resolve('sha256:ok');
    };
    expect(await withRetries({ attempts: 3, retryDelayMs: 1 }, flaky, describeError)).toBe(
      'sha256:ok',
    );
    expect(calls).toBe(3);

    calls = 0;
    const denied = () => {
      calls += 1;
      return Promise.reject(new Error('unauthorized: authentication required'));
    };
    await expect(
      withRetries({ attempts: 3, retryDelayMs: 1 }, denied, describeError),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(calls).toBe(1);

    calls = 0;
    const reset = () => {
      calls += 1;
      return Promise.reject(new Error('connection reset by peer'));
    };
    await expect(
      withRetries({ attempts: 2, retryDelayMs: 1 }, reset, describeError),
    ).rejects.toHaveProperty('code');
    expect(calls).toBe(2);
  });
});

describe.runIf(ready)('condense push to a real registry (TLS, basic auth) on loopback', () => {
  let engine: Engine;
  let registry: TestRegistry;
  let root: string;
  let project: string;
  let imageId: string;
  const env = (auth?: string): NodeJS.ProcessEnv => ({
    DOCKER_CONFIG: join(root, auth ? `docker-${auth.length}` : 'docker-none'),
  });

  async function dockerConfig(user: string, password: string): Promise<NodeJS.ProcessEnv> {
    const dir = join(root, `docker-${user}-${password.length}`);
    await mkdir(dir, { recursive: true });
    const auth = Buffer.from(`${user}:${password}`).toString('base64');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth } } }),
    );
    return { DOCKER_CONFIG: dir };
  }

  beforeAll(async () => {
    engine = connectEngine({ env: { DOCKER_HOST: dockerHost() } });
    await ensureTestImages(engine.docker);
    // The CA goes where the engine and Condense both look: Docker's certs.d.
    registry = await startRegistry({ trustDir: DOCKER_CERTS_D });
    root = await mkdtemp(join(tmpdir(), 'condense-push-'));
    project = join(root, 'churn-model');
    await mkdir(project);
    await writeFile(join(project, 'environment.yml'), 'dependencies: [python=3.11]\n');
    await writeFile(join(project, 'conda-linux-64.lock'), `@EXPLICIT\n# ${Date.now()}\n`);
    await writeRecipeFile(project, defaultRecipe());
    const image = await engine.docker.getImage(TEST_BASE_IMAGE).inspect();
    imageId = image.Id;
    const record: BuildRecord = {
      id: '20261202-120000-abcdef',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: 1,
      state: 'succeeded',
      builder: 'buildkit',
      engine: { host: dockerHost(), context: 'default', version: '20.10', architecture: 'x86_64' },
      dockerfileSha256: 'x',
      variants: [
        {
          id: 'safe',
          rules: [],
          state: 'succeeded',
          imageId,
          tags: [],
          layers: [],
          durationMs: 1,
          cachedSteps: 0,
          totalSteps: 1,
        },
      ],
    };
    await saveBuild(project, record);
  });
  afterAll(async () => {
    await registry?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('pushes <variant> and <variant>-<lock hash> with per-layer progress; the digest pulls back', async () => {
    const events: PushProgress[] = [];
    const pushed = await pushVariants({
      engine,
      projectDir: project,
      registry: registry.host,
      env: await dockerConfig(registry.user, registry.password),
      onProgress: (e) => events.push(e),
    });
    const lockHash = (await import('node:crypto'))
      .createHash('sha256')
      .update(await readFile(join(project, 'conda-linux-64.lock')))
      .digest('hex')
      .slice(0, 12);
    expect(pushed.map((p) => p.tag)).toEqual([
      `${registry.host}/churn-model:safe`,
      `${registry.host}/churn-model:safe-${lockHash}`,
    ]);
    expect(pushed[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed[1]!.digest).toBe(pushed[0]!.digest);
    expect(events.some((e) => e.layer && /Push|Layer already exists/.test(e.status))).toBe(true);

    // Pull back by digest: the same image.
    const byDigest = `${registry.host}/churn-model@${pushed[0]!.digest}`;
    await engine.docker.getImage(`${registry.host}/churn-model:safe`).remove();
    await engine.docker.getImage(`${registry.host}/churn-model:safe-${lockHash}`).remove();
    const auth = {
      username: registry.user,
      password: registry.password,
      serveraddress: registry.host,
    };
    const stream = await engine.docker.pull(byDigest, { authconfig: auth });
    await new Promise((resolve, reject) =>
      engine.docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve(undefined))),
    );
    const pulled = await engine.docker.getImage(byDigest).inspect();
    expect(pulled.Id).toBe(imageId);
    expect(pulled.RepoDigests).toContain(byDigest);
    // No credential in the project or its history.
    const history = await readdir(join(project, '.condense', 'builds'), { recursive: true });
    for (const name of history) {
      const path = join(project, '.condense', 'builds', String(name));
      const text = await readFile(path, 'utf8').catch(() => '');
      expect(text).not.toContain(registry.password);
    }
  });

  it('a wrong password: a clear message naming the registry, not the password', async () => {
    const error = await pushVariants({
      engine,
      projectDir: project,
      registry: registry.host,
      env: await dockerConfig(registry.user, 'wrong-password'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(`docker login ${registry.host}`) as unknown,
    });
    expect(String((error as Error).message)).not.toContain('wrong-password');
  });

  it('an unknown registry: unreachable, said at once', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const error = await pushVariants({
      engine,
      projectDir: project,
      registry: `127.0.0.1:${port}`,
      env: env(),
      attempts: 1,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: expect.stringContaining(`127.0.0.1:${port}`) as unknown,
    });
  });

  it('a registry that accepts and never answers: stopped at the deadline', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const error = await pushVariants({
        engine,
        projectDir: project,
        registry: `127.0.0.1:${port}`,
        env: env(),
        idleTimeoutMs: 3000,
        attempts: 1,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: expect.stringMatching(/TIMEOUT|REGISTRY_UNREACHABLE/) as unknown,
      });
      expect(String((error as Error).message)).toContain(`127.0.0.1:${port}`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('CLI: condense push --json prints each pushed tag with its digest', async () => {
    const config = await dockerConfig(registry.user, registry.password);
    const previous = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = config.DOCKER_CONFIG;
    try {
      const { code, stdout, stderr } = await runCliCaptured([
        'push',
        '--project',
        project,
        '--registry',
        registry.host,
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      const pushed = JSON.parse(stdout) as { tag: string; digest: string }[];
      expect(pushed.map((p) => p.tag)[0]).toBe(`${registry.host}/churn-model:safe`);
      expect(pushed.every((p) => /^sha256:/.test(p.digest))).toBe(true);
      expect(stderr).not.toContain(registry.password);
      const missing = await runCliCaptured(['push', '--project', project]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--registry');
    } finally {
      if (previous === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = previous;
    }
  });

  it('refuses a variant the latest build does not have', async () => {
    await expect(
      pushVariants({
        engine,
        projectDir: project,
        registry: registry.host,
        variants: ['tiny'],
        env: env(),
      }),
    ).rejects.toThrow(/no image for tiny \(it has safe\)/);
  });
});
