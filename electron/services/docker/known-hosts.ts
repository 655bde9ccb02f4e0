import { createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts matching, so an ssh engine is only used when its host key is known (the docker
 * CLI runs ssh, which checks the same file). Plain (`host`, `[host]:port`, comma lists) and hashed
 * (`|1|salt|hash`) entries; `@revoked` lines reject, `@cert-authority` lines are ignored.
 */
export function knownHostKeys(
  text: string,
  host: string,
  port: number,
): { keys: string[]; revoked: string[] } {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: string[] = [];
  const revoked: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]!.startsWith('@')) marker = fields.shift();
    const [hosts, , key] = fields;
    if (!hosts || !key || marker === '@cert-authority') continue;
    if (!hostListMatches(hosts, name)) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

/**
 * OpenSSH's `match_hostname` (match.c `match_pattern_list`, sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * host names compare case-insensitively; a `!pattern` that matches rejects the whole line even when
 * another pattern on it matches; otherwise any matching pattern accepts it.
 */
export function hostListMatches(list: string, name: string): boolean {
  if (list.startsWith('|1|')) return hashedMatches(list, name);
  const host = name.toLowerCase();
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!patternMatches(pattern, host)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** `|1|salt|hash`: HMAC-SHA1 of the exact name, one per line (no lists, wildcards or negation). */
function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function patternMatches(pattern: string, name: string): boolean {
  if (/[*?]/.test(pattern)) {
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return regex.test(name);
  }
  return pattern === name;
}

/** Whether the host key the server presents (its wire-format blob) is listed and not revoked. */
export function hostKeyAccepted(text: string, host: string, port: number, key: Buffer): boolean {
  const presented = key.toString('base64');
  const { keys, revoked } = knownHostKeys(text, host, port);
  return !revoked.includes(presented) && keys.includes(presented);
}
