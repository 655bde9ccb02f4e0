import type { NetworkMode, ServiceCheckSpec, ServiceMethod } from '../checks/model';
import { defaultServiceCheck, NETWORK_MODES, SERVICE_METHODS } from '../checks/model';
import type { BytecodeMode, ImageFile } from './model';
import { BYTECODE_MODES } from './model';
import { hasControlCharacter } from './quote';

/** Where `validate.ts` collects problems: the field (dotted path) and what to do. */
export interface IssueSink {
  add(field: string, message: string): void;
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// The same path characters as the recipe's other paths: nothing a Dockerfile or shell would parse.
const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9._+@-]*';
const PROJECT_PATH = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const IMAGE_PATH = new RegExp(`^(?:/${SEGMENT})+$`);
// Copying over these would break the runtime image or is refused by the engine.
const SYSTEM_DIRS = ['/bin', '/dev', '/etc', '/lib', '/lib64', '/proc', '/sbin', '/sys', '/usr'];
const URL_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/;

function text(sink: IssueSink, field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    sink.add(field, `must be a string, got ${value === null ? 'null' : typeof value}`);
    return undefined;
  }
  if (hasControlCharacter(value)) {
    sink.add(field, 'must not contain newlines or other control characters');
    return undefined;
  }
  return value;
}

/** `files:`: a list of `{from: <path in the project>, to: <absolute path in the image>}`. */
export function imageFiles(sink: IssueSink, value: unknown, prefix: string): ImageFile[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    sink.add('files', 'must be a list of {from, to}, like [{from: model.pkl, to: /app/model.pkl}]');
    return [];
  }
  const targets = new Set<string>();
  const out: ImageFile[] = [];
  value.forEach((item, i) => {
    const field = `files[${i}]`;
    if (!isObject(item)) {
      sink.add(field, 'must be a mapping with from and to');
      return;
    }
    for (const key of Object.keys(item)) {
      if (key !== 'from' && key !== 'to')
        sink.add(`${field}.${key}`, 'unknown field; use from, to');
    }
    const from = text(sink, `${field}.from`, item.from)?.replace(/\/+$/, '');
    const to = text(sink, `${field}.to`, item.to)?.replace(/(?<=.)\/+$/, '');
    if (from === undefined || to === undefined) return;
    if (from.split('/').includes('..') || from.startsWith('/') || !PROJECT_PATH.test(from)) {
      sink.add(
        `${field}.from`,
        `"${from}" is not a path inside the project: write it relative to the project folder, like model.pkl or config (no .., no leading /)`,
      );
      return;
    }
    if (!IMAGE_PATH.test(to) || to.split('/').includes('..')) {
      sink.add(
        `${field}.to`,
        `"${to}" is not valid: an absolute path in the image, like /app/model.pkl`,
      );
      return;
    }
    if (SYSTEM_DIRS.some((d) => to === d || to.startsWith(`${d}/`))) {
      sink.add(
        `${field}.to`,
        `"${to}" would overwrite the runtime image's system files; use a folder like /app`,
      );
      return;
    }
    if (to === prefix || to.startsWith(`${prefix}/`) || prefix.startsWith(`${to}/`)) {
      sink.add(
        `${field}.to`,
        `"${to}" overlaps the environment ${prefix}; use a folder of its own like /app`,
      );
      return;
    }
    if (targets.has(to)) sink.add(`${field}.to`, `"${to}" is the target of another entry`);
    targets.add(to);
    out.push({ from, to });
  });
  return out;
}

/**
 * `service:` (null or absent: the defaults apply when the recipe has a port). `field` names it in
 * problems; `trace.requests` entries are the same request without `timeoutSeconds`.
 */
export function serviceCheck(
  sink: IssueSink,
  value: unknown,
  field = 'service',
  withTimeout = true,
): ServiceCheckSpec | null {
  if (value === undefined || value === null) return null;
  const d = defaultServiceCheck();
  const known = Object.keys(d).filter((key) => withTimeout || key !== 'timeoutSeconds');
  if (!isObject(value)) {
    sink.add(field, `must be a mapping with ${known.join(', ')}`);
    return null;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      sink.add(`${field}.${key}`, `unknown field; known fields: ${known.join(', ')}`);
  }
  const path = value.path === undefined ? d.path : text(sink, `${field}.path`, value.path);
  if (path !== undefined && !URL_PATH.test(path))
    sink.add(`${field}.path`, `"${path}" is not valid: a URL path starting with /, like /health`);
  const rawMethod =
    value.method === undefined ? d.method : text(sink, `${field}.method`, value.method);
  const method = rawMethod?.toUpperCase();
  if (method !== undefined && !(SERVICE_METHODS as readonly string[]).includes(method))
    sink.add(`${field}.method`, `"${rawMethod}" is not supported; use GET or POST`);
  let body: string | null = null;
  if (value.body !== undefined && value.body !== null) {
    // A mapping or list written as YAML is sent as its JSON text.
    const raw = typeof value.body === 'string' ? value.body : JSON.stringify(value.body);
    try {
      JSON.parse(raw);
      body = raw;
    } catch {
      sink.add(`${field}.body`, 'must be JSON text, like \'{"x": 1}\'');
    }
  }
  const status = value.status ?? d.status;
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
    sink.add(
      `${field}.status`,
      `must be an HTTP status from 100 to 599, got ${JSON.stringify(status)}`,
    );
  const expect =
    value.expect === undefined || value.expect === null
      ? null
      : (text(sink, `${field}.expect`, value.expect) ?? null);
  const timeout = value.timeoutSeconds ?? d.timeoutSeconds;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 1 || timeout > 3600)
    sink.add(
      `${field}.timeoutSeconds`,
      `must be a number of seconds from 1 to 3600, got ${JSON.stringify(timeout)}`,
    );
  return {
    path: path ?? d.path,
    method: (SERVICE_METHODS as readonly string[]).includes(method ?? '')
      ? (method as ServiceMethod)
      : d.method,
    body,
    status: typeof status === 'number' ? status : d.status,
    expect,
    timeoutSeconds: typeof timeout === 'number' ? timeout : d.timeoutSeconds,
  };
}

export function networkMode(sink: IssueSink, value: unknown): NetworkMode {
  if (value === undefined || value === null) return 'default';
  if (typeof value !== 'string' || !(NETWORK_MODES as readonly string[]).includes(value)) {
    sink.add('network', `${JSON.stringify(value)} is not a network; use default, host or none`);
    return 'default';
  }
  return value as NetworkMode;
}

export function bytecodeMode(
  sink: IssueSink,
  field: string,
  value: unknown,
): BytecodeMode | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(BYTECODE_MODES as readonly string[]).includes(value)) {
    sink.add(
      field,
      `${JSON.stringify(value)} is not a bytecode setting; use keep, drop or compile`,
    );
    return undefined;
  }
  return value as BytecodeMode;
}
