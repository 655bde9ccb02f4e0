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
    if (!hosts.split(',').some((pattern) => hostMatches(pattern, name))) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (pattern.startsWith('!')) return false;
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
