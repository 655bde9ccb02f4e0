import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { isCondenseError } from '../../../shared/api/errors';
import { runSmokeTests } from '../checks/smoke-runner';
import type { Engine } from '../docker/engine';
import { engineStream } from '../docker/engine-stream';
import { readImageTree } from './image-tree';

/**
 * A Docker engine on a unix socket that creates and removes containers at once, but whose
 * `docker export` and archive reads send their headers and a first tar block, then nothing more: an
 * engine that stalls halfway through a stream, which no per-call deadline sees.
 */
let dir: string;
let server: Server;
const sockets = new Set<Socket>();
const removed: string[] = [];
let engine: Engine;

function stall(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/x-tar' });
  const archive = pack();
  archive.entry({ name: 'opt/', type: 'directory' });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  archive.on('end', () => response.write(Buffer.concat(chunks).subarray(0, 512)));
  archive.finalize();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-trace-waits-'));
  const socketPath = join(dir, 'docker.sock');
  server = createServer((request, response) => {
    const url = request.url ?? '';
    request.resume();
    if (request.method === 'POST' && url.includes('/containers/create')) {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ Id: 'c0ffee', Warnings: [] }));
    } else if (request.method === 'DELETE') {
      removed.push(url);
      response.writeHead(204);
      response.end();
    } else if (url.includes('/archive') && url.includes('missing')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'no such file' }));
    } else if (url.includes('/export') || url.includes('/archive')) stall(response);
    // Anything else: accepted and never answered.
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  engine = {
    docker: new Docker({ socketPath }),
    target: { host: `unix://${socketPath}` },
  } as unknown as Engine;
});

afterEach(() => {
  delete process.env.CONDENSE_ENGINE_TIMEOUT;
  removed.length = 0;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('trace waits on an engine that stalls mid-stream', () => {
  it('docker export of the image tree ends in TIMEOUT naming the engine, and the container goes', async () => {
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.5';
    const error: unknown = await readImageTree(engine, 'sha256:abc').catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('export the image files');
    expect((error as Error).message).toContain(engine.target.host);
    expect(removed.some((url) => url.includes('/containers/c0ffee'))).toBe(true);
  });

  it('cancel ends the export at once with CANCELLED (the idle deadline is far away)', async () => {
    process.env.CONDENSE_ENGINE_TIMEOUT = '60';
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error: unknown = await readImageTree(engine, 'sha256:abc', controller.signal).catch(
      (e: unknown) => e,
    );
    expect(isCondenseError(error) && error.code).toBe('CANCELLED');
  });

  it('an archive read (the trace logs) ends in TIMEOUT; a missing folder is null, not a wait', async () => {
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.5';
    const container = engine.docker.getContainer('c0ffee');
    const read = (path: string) =>
      engineStream(
        engine,
        'read the trace logs',
        undefined,
        (abortSignal) =>
          container.getArchive({ path, abortSignal }).then(
            (archive) => archive as unknown as Readable,
            (e: { statusCode?: number }) => {
              if (e.statusCode === 404) return null;
              throw e;
            },
          ),
        (stream) =>
          new Promise<string>((resolve, reject) => {
            if (!stream) return resolve('none');
            stream.on('error', reject);
            stream.on('end', () => resolve('ended'));
            stream.resume();
          }),
      );
    const error: unknown = await read('/.condense-trace/out').catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('read the trace logs');
    expect(await read('/missing')).toBe('none');
  });

  it('an engine that never answers the export call at all ends in TIMEOUT too', async () => {
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.5';
    const container = engine.docker.getContainer('c0ffee');
    const error: unknown = await engineStream(
      engine,
      'export the image files',
      undefined,
      // `/top` is never answered by the fake engine: no headers at all.
      (abortSignal) =>
        (container.top as (o: object) => Promise<unknown>)({ abortSignal }) as Promise<Readable>,
      () => Promise.resolve('read'),
    ).catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('TIMEOUT');
  });

  it('a check whose container the engine never starts ends in TIMEOUT, not a failed check', async () => {
    process.env.CONDENSE_ENGINE_TIMEOUT = '0.5';
    const error: unknown = await runSmokeTests({
      engine,
      imageId: 'sha256:abc',
      spec: { modules: [], command: ['true'] },
    }).catch((e: unknown) => e);
    expect(isCondenseError(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('start the command check');
  });
});
