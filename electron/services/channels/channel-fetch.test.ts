import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  startRawServer,
  startSilentServer,
  type TestServer,
  trickle,
} from '../../../test/support/hanging-servers';
import { channelGet } from './channel-fetch';

let silent: TestServer;
let raw: TestServer;
beforeAll(async () => {
  silent = await startSilentServer();
  raw = await startRawServer((path, response) => {
    if (path === '/trickle') return trickle(response);
    if (path === '/short') {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('{"packages":');
      // Ends the connection before the announced 1000 bytes.
      return void setTimeout(() => response.socket?.destroy(), 20);
    }
    if (path === '/bad-gzip') {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      return response.end(Buffer.from('definitely not gzip data at all'));
    }
    if (path === '/gzip') {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      return response.end(gzipSync('{"packages":{}}'));
    }
    if (path === '/big') {
      response.writeHead(200, { 'content-length': String(10_000) });
      return response.end(Buffer.alloc(10_000, 0x20));
    }
    if (path === '/missing-with-page') {
      response.writeHead(404, { 'content-type': 'text/html' });
      return response.end('<html>not here</html>');
    }
    if (path === '/pieces') {
      const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      response.writeHead(200, { 'content-length': String(body.length) });
      // Three writes apart in time: the client sees several chunks.
      response.write(body.subarray(0, 100_000));
      setTimeout(() => response.write(body.subarray(100_000, 200_000)), 20);
      return void setTimeout(() => response.end(body.subarray(200_000)), 40);
    }
    if (path === '/big-chunked') {
      response.writeHead(200);
      for (let i = 0; i < 10; i++) response.write(Buffer.alloc(1000, 0x20));
      return response.end();
    }
    response.writeHead(404);
    response.end();
  });
});
afterAll(async () => {
  await silent.close();
  await raw.close();
});

const what = 'channel test';
const unexpected = (): never => {
  throw new Error('expected a failure');
};

describe('channelGet deadlines', () => {
  it('ends against a server that accepts and never answers, naming host and port', async () => {
    const error = await channelGet(`${silent.url}/linux-64/repodata.json`, {
      what,
      timeoutMs: 300,
    }).then(unexpected, (e: unknown) => e as { code: string; message: string });
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(error.message).toContain(`127.0.0.1:${silent.port}`);
    expect(error.message).toMatch(
      /channel test .*no answer within 300 ms.*CONDENSE_CHANNEL_TIMEOUT/,
    );
  });

  it('ends a trickling download at the total deadline although bytes keep coming', async () => {
    const error = await channelGet(`${raw.url}/trickle`, {
      what,
      timeoutMs: 5_000,
      totalMs: 400,
    }).then(unexpected, (e: unknown) => e as { code: string; message: string });
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(error.message).toMatch(/did not finish within 400 ms.*sends too slowly/);
  });

  it('is CANCELLED when the caller aborts', async () => {
    const controller = new AbortController();
    const wait = channelGet(`${silent.url}/x`, {
      what,
      signal: controller.signal,
      timeoutMs: 60_000,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(wait).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reads the honoured environment variable', async () => {
    process.env.CONDENSE_CHANNEL_TIMEOUT = '0.2';
    try {
      await expect(channelGet(`${silent.url}/y`, { what })).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(/within 200 ms/) as unknown,
      });
    } finally {
      delete process.env.CONDENSE_CHANNEL_TIMEOUT;
    }
  });
});

describe('channelGet bodies', () => {
  it('says how much of an announced body arrived when the connection closes early', async () => {
    await expect(channelGet(`${raw.url}/short`, { what })).rejects.toMatchObject({
      code: 'CHANNEL_UNREACHABLE',
      message: expect.stringMatching(/closed after 12 B of 1000 B announced/) as unknown,
    });
  });

  it('names corrupt gzip, and decodes good gzip', async () => {
    await expect(channelGet(`${raw.url}/bad-gzip`, { what })).rejects.toMatchObject({
      message: expect.stringMatching(/channel test .*gzip-compressed body is corrupt/) as unknown,
    });
    const good = await channelGet(`${raw.url}/gzip`, { what });
    expect(good.body.toString()).toBe('{"packages":{}}');
  });

  it('refuses a body over the cap, announced or not', async () => {
    for (const path of ['/big', '/big-chunked']) {
      await expect(channelGet(`${raw.url}${path}`, { what, maxBytes: 4096 })).rejects.toMatchObject(
        {
          message: expect.stringMatching(
            /larger than the 4(\.00)? KiB limit \((it announces|\S+ KiB so far).*CONDENSE_REPODATA_MAX_BYTES/,
          ) as unknown,
        },
      );
    }
  });

  it('keeps credentials out of its messages', async () => {
    const url = silent.url.replace('http://', 'http://alice:s3cret@') + '/t/tok-123/linux-64/x';
    const error = await channelGet(url, { what, timeoutMs: 100 }).then(
      unexpected,
      (e: unknown) => e as Error,
    );
    expect(error.message).not.toMatch(/s3cret|tok-123/);
    expect(error.message).toContain('/t/***/');
  });
});

describe('channelGet onBody', () => {
  it('hands on each chunk of a 2xx body as it arrives, with the body so far when its size is known', async () => {
    const seen: Buffer[] = [];
    const sofars: number[] = [];
    const answer = await channelGet(`${raw.url}/pieces`, {
      what: 'test channel',
      onBody: (chunk, sofar) => {
        seen.push(Buffer.from(chunk));
        expect(sofar).toBeDefined();
        // The body so far ends with this chunk.
        expect(sofar!.subarray(sofar!.length - chunk.byteLength).equals(chunk)).toBe(true);
        sofars.push(sofar!.length);
      },
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(Buffer.concat(seen).equals(answer.body)).toBe(true);
    expect(sofars.at(-1)).toBe(300_000);
    expect(sofars).toEqual([...sofars].sort((a, b) => a - b));
  });

  it('hands on chunks of a body of unknown size without the body so far', async () => {
    const sofars: (Buffer | undefined)[] = [];
    const answer = await channelGet(`${raw.url}/big-chunked`, {
      what: 'test channel',
      onBody: (_, sofar) => sofars.push(sofar),
    });
    expect(answer.body.length).toBe(10_000);
    expect(sofars.length).toBeGreaterThan(0);
    expect(sofars.every((s) => s === undefined)).toBe(true);
  });

  it('shows nothing of an answer that is not 2xx', async () => {
    let calls = 0;
    const answer = await channelGet(`${raw.url}/missing-with-page`, {
      what: 'test channel',
      onBody: () => calls++,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.toString()).toBe('<html>not here</html>');
    expect(calls).toBe(0);
  });
});
