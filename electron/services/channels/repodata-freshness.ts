/**
 * When a cached repodata copy is used without asking the channel again, after conda's
 * `local_repodata_ttl`: by default the channel's `Cache-Control: max-age` decides (`no-cache`,
 * `no-store` or `max-age=0`: ask every time); a channel that sends no Cache-Control (plain static
 * file servers and mirrors) is asked again after `DEFAULT_TTL_SECONDS`. `CONDENSE_REPODATA_TTL=N`
 * sets N seconds whatever the channel says (0: ask on every lock), and a refresh (`condense lock
 * --refresh`) always asks. Asking means a conditional request: an unchanged file costs a 304.
 */
export interface FreshnessPolicy {
  /** Seconds a copy stays fresh regardless of Cache-Control; undefined: follow the channel. */
  ttlSeconds?: number;
  /** Ask the channel now, however fresh the copy is. */
  refresh?: boolean;
}

/** What the cache remembers of the last answer for one file. */
export interface CheckedCopy {
  /** When the channel last answered 200 or 304 for it (ms since the epoch). */
  checkedAt?: number;
  /** That answer's Cache-Control header. */
  cacheControl?: string;
}

/** Freshness for a channel that sends no Cache-Control (conda asks every time; 5 minutes spares a relock). */
export const DEFAULT_TTL_SECONDS = 300;

/** Seconds the channel allows caching for, 0 when it forbids it, undefined when it does not say. */
export function cacheControlMaxAge(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const directives = header
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return 0;
  for (const d of directives) {
    const match = /^max-age\s*=\s*"?(\d+)"?$/.exec(d);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The TTL override from `CONDENSE_REPODATA_TTL` (seconds), or undefined when unset or invalid. */
export function ttlFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.CONDENSE_REPODATA_TTL?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** True when `copy` may be used now without a request. */
export function isFresh(copy: CheckedCopy, policy: FreshnessPolicy, now = Date.now()): boolean {
  if (policy.refresh || copy.checkedAt === undefined) return false;
  const seconds = policy.ttlSeconds ?? cacheControlMaxAge(copy.cacheControl) ?? DEFAULT_TTL_SECONDS;
  const age = now - copy.checkedAt;
  // A clock set back makes the age negative: ask rather than trust it.
  return age >= 0 && age < seconds * 1000;
}
