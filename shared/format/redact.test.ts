import { describe, expect, it } from 'vitest';

import { toErrorInfo } from '../api/errors';
import { CondenseError } from '../api/errors';
import { hasCredentials, redact, redactFields } from './redact';

describe('redact', () => {
  it.each([
    ['https://alice:s3cret@conda.example.com/c', 'https://***@conda.example.com/c'],
    ['https://tok-123@repo.example.com/c', 'https://***@repo.example.com/c'],
    [
      'https://conda.anaconda.org/t/abc-DEF_9/acme/linux-64',
      'https://conda.anaconda.org/t/***/acme/linux-64',
    ],
    ['https://h/c?token=zzz&x=1', 'https://h/c?token=***&x=1'],
    ['see https://h/c?x=1&api_key=zzz now', 'see https://h/c?x=1&api_key=*** now'],
    ['Authorization: Bearer abcdefghijklmnopqrstuvwxyz', 'Authorization: Bearer ***'],
    ['header "authorization": "Basic dXNlcjpwYXNzd29yZA=="', 'header "authorization": "Basic ***"'],
  ])('hides credentials in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(hasCredentials(text)).toBe(true);
  });

  it('works on text that is not a valid URL (the one that gets echoed in errors)', () => {
    const text =
      'channel "https://bob:pa%ss@bad_host:99999/x" is neither a channel name nor an http(s) URL';
    expect(redact(text)).not.toMatch(/bob|pa%ss/);
  });

  it('leaves ordinary text and URLs alone', () => {
    for (const text of [
      'https://conda.anaconda.org/conda-forge/linux-64/repodata.json',
      'python >=3.11 from /t/mp',
      'user@example.com wrote 3 files',
      'channel http://127.0.0.1:8080 (127.0.0.1:8080): no answer within 25 s',
    ])
      expect(redact(text)).toBe(text);
  });

  it('is applied to every error that crosses a door, details included', () => {
    const info = toErrorInfo(
      new CondenseError('CHANNEL_UNREACHABLE', 'cannot reach https://a:b@h/t/tok/c', {
        url: 'https://a:b@h/t/tok/c',
      }),
    );
    expect(info.message).toBe('cannot reach https://***@h/t/***/c');
    expect(info.details).toEqual({ url: 'https://***@h/t/***/c' });
    expect(toErrorInfo(new Error('GET https://x/c?token=abc failed')).message).toBe(
      'GET https://x/c?token=*** failed',
    );
    expect(redactFields({ text: 'https://a:b@h/x', n: 1 })).toEqual({
      text: 'https://***@h/x',
      n: 1,
    });
  });
});
