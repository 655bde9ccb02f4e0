/**
 * Hides credentials in any text before it becomes a message, a log line or CLI output: the one
 * redaction every door and every error uses. It works on free text, not only on valid URLs, because
 * a URL that fails to parse is exactly the one that gets echoed back in an error.
 */
export const REDACTED = '***';

// `scheme://user:pass@host` and `scheme://token@host` (the userinfo part, up to the last `@` before the host).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// conda's token path segment `/t/<token>/` (anaconda.org, quetz, prefix.dev), inside a URL only.
const URL_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const TOKEN_SEGMENT = /\/t\/[^/?#]+(?=[/?#]|$)/g;
// Query or form parameters that carry secrets.
const SECRET_PARAM =
  /([?&;](?:token|access_token|auth|auth_token|api_key|apikey|key|password|passwd|pwd|secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^\s&#"'<>]+/gi;
// `Authorization: Basic ...` / `Bearer ...` as they appear in dumps of headers.
const AUTH_HEADER = /\b(authorization["']?\s*[:=]\s*["']?(?:basic|bearer|token)\s+)[^\s"',}]+/gi;
const BARE_SCHEME = /\b(basic|bearer)\s+[A-Za-z0-9+/=._-]{16,}/gi;

export function redact(text: string): string {
  return text
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(URL_TEXT, (url) => url.replace(TOKEN_SEGMENT, `/t/${REDACTED}`))
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_HEADER, `$1${REDACTED}`)
    .replace(BARE_SCHEME, `$1 ${REDACTED}`);
}

/** True when `text` holds something {@link redact} would hide. */
export function hasCredentials(text: string): boolean {
  return redact(text) !== text;
}

/** A shallow copy of an event payload with its string fields redacted (progress, log lines). */
export function redactFields<T>(data: T): T {
  if (typeof data === 'string') return redact(data) as T;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') continue;
    const clean = redact(value);
    if (clean === value) continue;
    copy ??= { ...(data as Record<string, unknown>) };
    copy[key] = clean;
  }
  return (copy ?? data) as T;
}

/**
 * A copy of a whole record (arrays and nested objects too) with every string redacted: for what is
 * stored or sent whole, such as a trace record, whose probe messages carry a check's own output.
 * Unchanged parts are shared, not copied.
 */
export function redactDeep<T>(data: T): T {
  if (typeof data === 'string') return redact(data) as T;
  if (typeof data !== 'object' || data === null) return data;
  if (Array.isArray(data)) {
    let changed = false;
    const items = data.map((item: unknown) => {
      const clean = redactDeep(item);
      if (clean !== item) changed = true;
      return clean;
    });
    return (changed ? items : data) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const clean = redactDeep(value);
    if (clean === value) continue;
    copy ??= { ...(data as Record<string, unknown>) };
    copy[key] = clean;
  }
  return (copy ?? data) as T;
}
