import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startRawServer, type TestServer } from '../../../test/support/hanging-servers';
import type { ChannelRef } from './channel-url';
import { RepodataCache } from './repodata-cache';
import { checkRepodata, decompressRepodata, repodataProblem } from './repodata-check';

const GOOD = JSON.stringify({
  info: { subdir: 'noarch' },
  packages: { 'six-1.16.0-py_0.tar.bz2': { name: 'six', version: '1.16.0', depends: [] } },
  'packages.conda': {
    'six-1.16.0-pyh_0.conda': { name: 'six', version: '1.16.0', depends: ['python'] },
  },
  removed: ['old-1-0.tar.bz2'],
});

describe('repodataProblem', () => {
  it('accepts well-formed repodata, escapes and nested values included', () => {
    expect(repodataProblem(Buffer.from(GOOD))).toBeUndefined();
    const tricky =
      '{"packages.conda":{"a-1-0.conda":{"summary":"say \\"}{\\" \\\\","x":[{"y":1}]}}}';
    expect(repodataProblem(Buffer.from(tricky))).toBeUndefined();
    expect(repodataProblem(Buffer.from(` \n${GOOD}\n `))).toBeUndefined();
  });

  it.each([
    ['<!DOCTYPE html><html><body>Sign in</body></html>', /is an HTML page/],
    ['null', /is null, not a repodata object/],
    ['', /is empty/],
    ['[1,2]', /is not a JSON object/],
    ['{"info":{}}', /neither a "packages" nor a "packages.conda" map/],
    ['{"packages":[]}', /"packages" that is not a map/],
    ['{"packages":{"a-1-0.tar.bz2":"x"}}', /record that is not an object \(a-1-0.tar.bz2\)/],
    ['{"packages":{}} trailing', /data after its end/],
    ['{"packages":{"a-1-0.tar.bz2":{"name":"a"]}}', /mismatched "\]"/],
  ])('names what is wrong with %j', (text, reason) => {
    expect(repodataProblem(Buffer.from(text))).toMatch(reason);
  });

  it('finds a cut anywhere in the file, even where the cut text ends in a brace', () => {
    for (let cut = 1; cut < GOOD.length - 1; cut++) {
      expect(repodataProblem(Buffer.from(GOOD.slice(0, cut))), `cut at ${cut}`).toBeDefined();
    }
    // Cut after a whole record: ends in "}", looks framed.
    const end = GOOD.indexOf('}}') + 2;
    expect(repodataProblem(Buffer.from(GOOD.slice(0, end)))).toMatch(
      /cut off .*brackets left open/,
    );
  });

  it('checkRepodata and decompressRepodata name the channel', () => {
    const channel: ChannelRef = { name: 'c', fetchUrl: 'http://u:p@h/c', publicUrl: 'http://h/c' };
    expect(() => checkRepodata(Buffer.from('null'), channel, 'linux-64')).toThrow(
      'channel http://h/c: linux-64/repodata.json is null, not a repodata object; it was not used or cached',
    );
    expect(() => decompressRepodata(Buffer.from('not zstd at all'), channel, 'noarch')).toThrow(
      /channel http:\/\/h\/c: noarch\/repodata.json\.zst is not valid zstd data/,
    );
  });
});

// The same checks through the cache: a bad answer is refused with a message naming the channel, and
// it is never cached (the next good answer is downloaded, not served from a poisoned copy).
let server: TestServer;
let body: () => { status?: number; text: string; headers?: Record<string, string> };
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-repodata-check-'));
  server = await startRawServer((path, response) => {
    if (path.endsWith('.zst') || path.includes('shards')) {
      response.writeHead(404);
      return response.end();
    }
    const answer = body();
    response.writeHead(answer.status ?? 200, { 'content-type': 'text/html', ...answer.headers });
    response.end(answer.text);
  });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const unexpected = (): never => {
  throw new Error('expected a failure');
};

const channel = (fetchUrl = server.url): ChannelRef => ({
  name: server.url,
  fetchUrl,
  publicUrl: server.url,
});

describe('RepodataCache integrity', () => {
  it.each([
    ['an HTML page', '<html><body>Log in to continue</body></html>', /is an HTML page/],
    ['null', 'null', /is null/],
    ['cut but framed JSON', GOOD.slice(0, GOOD.length / 2), /is cut off/],
  ])('refuses %s naming the channel, and caches nothing', async (_, text, reason) => {
    const dir = join(root, `cache-${Math.random().toString(36).slice(2)}`);
    body = () => ({ text });
    const cache = new RepodataCache({ dir });
    const error = await cache.get(channel(), 'noarch').then(unexpected, (e: unknown) => e as Error);
    await cache.flush();
    expect(error.message).toMatch(new RegExp(`^channel ${server.url}: noarch/repodata.json`));
    expect(error.message).toMatch(reason);
    expect(existsSync(join(dir, 'repodata')) ? await readdir(join(dir, 'repodata')) : []).toEqual(
      [],
    );
    body = () => ({ text: GOOD });
    const good = await new RepodataCache({ dir }).get(channel(), 'noarch');
    expect(good.source).toBe('downloaded');
  });

  it('keys entries by the full channel identity: two tokens, two entries, no token on disk', async () => {
    const dir = join(root, 'tokens');
    const cache = new RepodataCache({ dir });
    body = () => ({ text: GOOD });
    const a = await cache.get(channel(`${server.url}/t/token-aaa`), 'noarch');
    body = () => ({ text: GOOD.replace('1.16.0', '9.9.9') });
    const b = await cache.get(channel(`${server.url}/t/token-bbb`), 'noarch');
    await cache.flush();
    expect(a.key).not.toBe(b.key);
    expect(a.bytes.equals(b.bytes)).toBe(false);
    // Same identity again: from memory, the first token's own copy.
    const again = await cache.get(channel(`${server.url}/t/token-aaa`), 'noarch');
    expect(again.source).toBe('memory');
    expect(again.bytes.equals(a.bytes)).toBe(true);
    const files = await readdir(join(dir, 'repodata'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      expect(file).not.toMatch(/token/);
      expect(await readFile(join(dir, 'repodata', file), 'latin1')).not.toMatch(/token-/);
    }
  });

  it('caps the size of repodata (CONDENSE_REPODATA_MAX_BYTES)', async () => {
    process.env.CONDENSE_REPODATA_MAX_BYTES = '100';
    try {
      body = () => ({ text: GOOD });
      const error = await new RepodataCache({ dir: join(root, 'cap') })
        .get(channel(), 'noarch')
        .then(unexpected, (e: unknown) => e as Error);
      expect(error.message).toMatch(/larger than the 100 B limit.*CONDENSE_REPODATA_MAX_BYTES/);
    } finally {
      delete process.env.CONDENSE_REPODATA_MAX_BYTES;
    }
  });
});
