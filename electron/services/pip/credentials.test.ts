import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { expandVariables, parseNetrc, pipIndexes, redact } from './credentials';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'condense-netrc-'));
  await writeFile(
    join(dir, 'netrc'),
    '# company index\nmachine pypi.corp.example\n  login reader\n  password n3trc-secret\ndefault login anon password x\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pip index credentials', () => {
  it('expands ${VAR} and moves credentials out of the URL into netrc text', async () => {
    const env = { USER_X: 'bot', TOKEN_X: 'p@ss/word', NETRC: join(dir, 'none') };
    const result = await pipIndexes(
      { indexUrl: 'https://${USER_X}:${TOKEN_X}@private.example/simple/', extraIndexUrls: [] },
      env,
    );
    expect(result.primary).toEqual({
      url: 'https://private.example/simple',
      host: 'private.example',
      authenticated: true,
    });
    expect(result.netrc).toBe('machine private.example login bot password p@ss/word\n');
    expect(result.secrets).toContain('p@ss/word');
    expect(JSON.stringify([result.primary, result.extra])).not.toContain('p@ss');
  });

  it('takes ~/.netrc entries for index hosts, and PyPI by default', async () => {
    const result = await pipIndexes(
      { extraIndexUrls: ['https://pypi.corp.example/simple'] },
      { NETRC: join(dir, 'netrc') },
    );
    expect(result.primary.url).toBe('https://pypi.org/simple');
    expect(result.primary.authenticated).toBe(false);
    expect(result.extra[0]).toMatchObject({
      url: 'https://pypi.corp.example/simple',
      authenticated: true,
    });
    expect(result.netrc).toBe('machine pypi.corp.example login reader password n3trc-secret\n');
  });

  it('names a missing variable and the index, never a value', () => {
    expect(() =>
      expandVariables('https://${U}:${MISSING_T}@idx.example/simple', { U: 'me' }),
    ).toThrow('the pip index https://idx.example/simple uses ${MISSING_T}, which is not set');
    expect(() =>
      expandVariables('https://${U}:${MISSING_T}@idx.example/simple', { U: 'me-user' }),
    ).toThrow(/uses \$\{MISSING_T\}, which is not set/);
  });

  it('parses netrc and redacts secrets, also URL-encoded', () => {
    expect(parseNetrc('machine a login b password c\nmachine d login e password f')).toEqual([
      { machine: 'a', login: 'b', password: 'c' },
      { machine: 'd', login: 'e', password: 'f' },
    ]);
    expect(redact('GET https://bot:p%40ss@x/ with p@ss', ['p@ss'])).toBe(
      'GET https://bot:***@x/ with ***',
    );
  });
});
