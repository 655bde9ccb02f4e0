import { createHmac, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { hostKeyAccepted, hostListMatches, knownHostKeys } from './known-hosts';

const KEY_A = Buffer.from('key-a-blob');
const KEY_B = Buffer.from('key-b-blob');
const b64 = (b: Buffer) => b.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('matches plain, bracketed-port, comma-listed, wildcard and hashed entries', () => {
    const text = [
      '# comment',
      `build.example,10.0.0.5 ssh-ed25519 ${b64(KEY_A)}`,
      `[big-box]:2222 ssh-ed25519 ${b64(KEY_B)}`,
      `${hashed('[hidden]:2200')} ssh-ed25519 ${b64(KEY_A)}`,
      `*.corp ssh-ed25519 ${b64(KEY_B)}`,
    ].join('\n');
    expect(hostKeyAccepted(text, 'build.example', 22, KEY_A)).toBe(true);
    expect(hostKeyAccepted(text, '10.0.0.5', 22, KEY_A)).toBe(true);
    expect(hostKeyAccepted(text, 'build.example', 22, KEY_B)).toBe(false);
    expect(hostKeyAccepted(text, 'big-box', 2222, KEY_B)).toBe(true);
    expect(hostKeyAccepted(text, 'big-box', 22, KEY_B)).toBe(false);
    expect(hostKeyAccepted(text, 'hidden', 2200, KEY_A)).toBe(true);
    expect(hostKeyAccepted(text, 'hidden', 22, KEY_A)).toBe(false);
    expect(hostKeyAccepted(text, 'gpu.corp', 22, KEY_B)).toBe(true);
    expect(hostKeyAccepted('', 'build.example', 22, KEY_A)).toBe(false);
  });

  it('rejects revoked keys and ignores cert-authority lines', () => {
    const text = [
      `host ssh-ed25519 ${b64(KEY_A)}`,
      `@revoked host ssh-ed25519 ${b64(KEY_A)}`,
      `@cert-authority host ssh-ed25519 ${b64(KEY_B)}`,
    ].join('\n');
    expect(knownHostKeys(text, 'host', 22)).toEqual({ keys: [b64(KEY_A)], revoked: [b64(KEY_A)] });
    expect(hostKeyAccepted(text, 'host', 22, KEY_A)).toBe(false);
    expect(hostKeyAccepted(text, 'host', 22, KEY_B)).toBe(false);
  });

  it('applies !negation as OpenSSH match_hostname does: a matching !pattern rejects the line', () => {
    // sshd(8): "if the host name matches a negated pattern, it is not accepted (by that line) even
    // if it matched another pattern on the line".
    expect(hostListMatches('*.corp,!gpu.corp', 'gpu.corp')).toBe(false);
    expect(hostListMatches('!gpu.corp,*.corp', 'gpu.corp')).toBe(false);
    expect(hostListMatches('*.corp,!gpu.corp', 'cpu.corp')).toBe(true);
    // A negation alone never accepts: it only takes away.
    expect(hostListMatches('!gpu.corp', 'cpu.corp')).toBe(false);
    expect(hostListMatches('!*.test,build.example', 'build.example')).toBe(true);
    expect(hostListMatches('!*.test,build.example', 'x.test')).toBe(false);
    expect(hostListMatches('[box]:2222,!*', '[box]:2222')).toBe(false);
    // Host names compare case-insensitively (match_pattern_list with dolower).
    expect(hostListMatches('Build.Example', 'build.example')).toBe(true);
    expect(hostListMatches('*.CORP,!GPU.corp', 'gpu.corp')).toBe(false);
    const text = [
      `*.corp,!gpu.corp ssh-ed25519 ${b64(KEY_A)}`,
      `gpu.corp ssh-ed25519 ${b64(KEY_B)}`,
    ].join('\n');
    expect(knownHostKeys(text, 'gpu.corp', 22)).toEqual({ keys: [b64(KEY_B)], revoked: [] });
    expect(hostKeyAccepted(text, 'cpu.corp', 22, KEY_A)).toBe(true);
  });
});
