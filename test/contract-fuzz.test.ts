// Random JSON at every method of the contract, over the real browser-mode server and the renderer's
// WebSocket client: no INTERNAL error, no crash, and nothing written outside the places a method is
// meant to write (the project, a folder that project:create, project:open or recipe:export was given, the app's own
// config and cache).
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';

import type { BrowserServer } from '../electron/server/browser-server';
import { startBrowserServer } from '../electron/server/browser-server';
import { createApiHandlers } from '../electron/services/api-handlers';
import { JobManager } from '../electron/services/jobs/job-manager';
import type { WebSocketClient } from '../renderer/src/api/ws-client';
import { createWebSocketClient } from '../renderer/src/api/ws-client';
import type { MethodName } from '../shared/api/contract';
import { isCondenseError } from '../shared/api/errors';
import type { JobEvent } from '../shared/api/jobs';
import { REQUEST_SCHEMAS } from '../shared/api/validate';

/** mulberry32: a seeded generator, so a failing run can be replayed with its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.CONDENSE_FUZZ_SEED ?? 20261202);
const ROUNDS = 100;

let root: string;
let project: string;
let outside: string;
let home: string;
let server: BrowserServer;
let client: WebSocketClient;
let jobs: JobManager;
const savedEnv = { ...process.env };
const jobEvents: JobEvent[] = [];

interface Entry {
  size: number;
  mtimeMs: number;
  mode: number;
}

async function snapshot(dir: string, into = new Map<string, Entry>()): Promise<Map<string, Entry>> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await lstat(path);
    into.set(path, { size: info.size, mtimeMs: info.mtimeMs, mode: info.mode });
    if (info.isDirectory()) await snapshot(path, into);
  }
  return into;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-fuzz-'));
  home = join(root, 'home');
  project = join(root, 'project');
  outside = join(root, 'outside');
  await Promise.all([home, outside].map((d) => mkdir(d, { recursive: true })));
  await writeFile(join(outside, 'secret.txt'), 'keep me');
  // Nothing may leave this machine: channels resolve to a closed local port, Docker to no socket.
  Object.assign(process.env, {
    HOME: home,
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    CONDENSE_CONFIG_DIR: join(root, 'config'),
    CONDENSE_CACHE_DIR: join(root, 'cache'),
    CONDENSE_CHANNEL_ALIAS: 'http://127.0.0.1:9',
    DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
    DOCKER_CONFIG: join(root, 'docker-config'),
  });
  delete process.env.DOCKER_CONTEXT;
  jobs = new JobManager();
  jobs.onEvent((event) => jobEvents.push(event));
  server = await startBrowserServer({
    handlers: createApiHandlers({ jobs, mode: 'browser', configDir: join(root, 'config') }),
    onJobEvent: (listener) => jobs.onEvent(listener),
    rendererDir: join(root, 'no-ui'),
  });
  client = createWebSocketClient(
    { url: `ws://127.0.0.1:${server.port}/api`, protocols: ['condense'] },
    (url, protocols) =>
      new WebSocket(url, protocols, {
        headers: { Authorization: `Bearer ${server.token}` },
      }),
  );
  await client.call('project:create', { dir: project, channels: ['local-only'] });
});

afterAll(async () => {
  client?.close();
  await jobs?.shutdown();
  await server?.close();
  process.env = savedEnv;
  if (root) await rm(root, { recursive: true, force: true });
});

/** Field names of a method's request, so many requests get past the first check and go deeper. */
function fieldsOf(method: MethodName): string[] {
  const schema = REQUEST_SCHEMAS[method] as z.ZodType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function generator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const strings = () => [
    project,
    `${project}/`,
    `${project}/../outside`,
    `${project}/sub/dir`,
    join(project, 'conda-lock.yml'),
    join(project, 'environment.yml'),
    outside,
    join(outside, 'secret.txt'),
    join(outside, 'new-folder'),
    '/etc/passwd',
    '/',
    '../../outside/secret.txt',
    'conda-lock.yml',
    'relative/dir',
    '~/fuzz-project',
    '~',
    '',
    ' ',
    'default',
    'slim',
    'numpy',
    'python >=3.11',
    'linux-64',
    'md5',
    'builtin',
    'conda-lock',
    '20261127-180837-3fa9c2',
    '__proto__',
    'constructor',
    '\0',
    '$(touch /tmp/pwned)',
    '; rm -rf /',
    'a'.repeat(5000),
    'ünïcødé',
    Math.floor(next() * 1e9).toString(36),
  ];
  const value = (depth: number): unknown => {
    const kind = next();
    if (depth > 2 || kind < 0.45) {
      return pick([
        null,
        true,
        false,
        0,
        -1,
        1,
        2.5,
        1e308,
        -0,
        Number.MAX_SAFE_INTEGER + 2,
        pick(strings()),
        pick(strings()),
      ]);
    }
    if (kind < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 4); i > 0; i--) {
      object[pick(['id', 'name', 'prune', 'variants', 'base', pick(strings())])] = value(depth + 1);
    }
    return object;
  };
  /** A whole request: random JSON, or the method's own fields with random (often plausible) values. */
  const request = (method: MethodName): unknown => {
    const shape = next();
    if (shape < 0.15) return value(0);
    const fields = fieldsOf(method);
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (next() < 0.25) continue;
      out[field] =
        field === 'projectDir' && next() < 0.6
          ? project
          : next() < 0.5
            ? pick(strings())
            : value(1);
    }
    if (shape > 0.9) out[pick(['extra', 'condaLockPath', 'dockerfile', '__proto__'])] = value(1);
    return out;
  };
  return { request };
}

/** The JSON text of the request as a client would send it, `__proto__` keys included. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + sep);
}

describe('contract fuzz (real server and client)', () => {
  it('answers random JSON at every method without INTERNAL, a crash, or a file outside the project', async () => {
    const before = await snapshot(root);
    const next = random(SEED);
    const { request } = generator(next);
    const methods = Object.keys(REQUEST_SCHEMAS) as MethodName[];
    const internal: string[] = [];
    // Folders a method is meant to write in, when the call succeeded.
    const allowed = new Set([
      project,
      join(root, 'config'),
      join(root, 'cache'),
      join(root, 'xdg-cache'),
      join(root, 'xdg-config'),
    ]);
    const counts = { ok: 0, refused: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const method of methods) {
        const sent = wire(request(method));
        try {
          const answer: unknown = await client.call(method, sent as never);
          counts.ok++;
          // The example goes where it was asked, or into a new folder of the home folder.
          if (method === 'project:createExample') allowed.add((answer as { dir: string }).dir);
          if (method === 'project:create' || method === 'recipe:export') {
            const dir = (sent as { dir: string }).dir.trim();
            allowed.add(resolve(dir.startsWith('~') ? join(home, dir.slice(1)) : dir));
          }
        } catch (error) {
          counts.refused++;
          if (!isCondenseError(error) || error.code === 'INTERNAL') {
            internal.push(
              `${method} ${JSON.stringify(sent).slice(0, 300)} -> ${String((error as Error).message)}`,
            );
          }
        }
      }
    }
    // Jobs the fuzz started (locks, analyses, builds) end before the files are compared; watches
    // run until cancelled, as the app does when it closes a project.
    for (const job of jobs.list())
      if (job.job === 'watch' && job.state === 'running') jobs.cancel(job.jobId);
    await expect
      .poll(() => jobs.list().filter((j) => j.state === 'running').length, { timeout: 60_000 })
      .toBe(0);
    expect(internal, `seed ${SEED}`).toEqual([]);
    const failedJobs = jobEvents.filter(
      (e) => e.kind === 'failed' && (e.data as { code?: string }).code === 'INTERNAL',
    );
    expect(
      failedJobs.map((e) => [e.job, e.data]),
      `seed ${SEED}`,
    ).toEqual([]);
    // Still serving, and most calls were refused for a reason, some went through.
    expect(await client.call('app:info', {})).toMatchObject({ mode: 'browser' });
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(counts.ok);

    const after = await snapshot(root);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => {
      const a = before.get(path);
      const b = after.get(path);
      return !a || !b || a.size !== b.size || a.mtimeMs !== b.mtimeMs || a.mode !== b.mode;
    });
    const stray = changed.filter(
      (path) =>
        ![...allowed].some((dir) => inside(path, dir)) &&
        // A folder's own entry changes when something is created in an allowed child.
        ![...allowed].some((dir) => inside(dir, path)),
    );
    expect(stray, `seed ${SEED}`).toEqual([]);
    expect(after.get(join(outside, 'secret.txt'))).toEqual(before.get(join(outside, 'secret.txt')));
  }, 300_000);
});
