/**
 * A fast reader for the plain block YAML that Condense's conda-lock.yml writer produces (nested
 * mappings and sequences of mappings, one scalar per line, empty `{}` / `[]`): the `yaml` library
 * takes a tenth of a second for a four-platform lock in a fresh process. Anything outside that
 * subset (anchors, tags, flow collections, multi-line or escaped scalars, core-schema values that
 * are not plain strings, booleans or decimal integers) returns undefined, and the caller parses
 * with the `yaml` library instead, so the result is always what `yaml.parse` would give.
 */
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

const SPECIAL =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
// Characters that make a plain scalar mean something else (or need a closer look) in YAML.
const UNSAFE_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;

/** A scalar as `yaml.parse` resolves it (core schema), or UNSUPPORTED. */
function scalar(text: string): Value | typeof UNSUPPORTED {
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2 || /["\\]/.test(text.slice(1, -1)))
      return UNSUPPORTED;
    return text.slice(1, -1);
  }
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text === '' || UNSAFE_START.test(text) || / #|: |:$|\t/.test(text) || /\s$/.test(text))
    return UNSUPPORTED;
  if (SPECIAL.test(text)) {
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (/^-?[0-9]+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
    return UNSUPPORTED;
  }
  return text;
}

const UNSUPPORTED = Symbol('unsupported');

/** Splits `key: value` / `key:`; keys must be plain strings or simple double-quoted ones. */
function keyValue(line: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    if (end < 0 || line[end + 1] !== ':') return undefined;
    key = line.slice(1, end);
    if (key.includes('\\')) return undefined;
    rest = line.slice(end + 2);
  } else {
    const colon = line.search(/:(?: |$)/);
    if (colon <= 0) return undefined;
    key = line.slice(0, colon);
    rest = line.slice(colon + 1);
    const resolved = scalar(key);
    if (typeof resolved !== 'string') return undefined;
  }
  if (rest !== '' && !rest.startsWith(' ')) return undefined;
  return [key, rest.trim()];
}

/** Parses the supported subset, or returns undefined (use `yaml.parse` then). */
export function parseBlockYaml(text: string): unknown {
  const lines: { indent: number; text: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    if (line.includes('\t')) return undefined;
    if (content === '---' || content === '...') return undefined;
    lines.push({ indent: line.length - content.length, text: content });
  }
  let at = 0;
  // A mapping at `indent`; `first` is a line already stripped of its `- ` marker.
  function mapping(indent: number, first?: string): { [key: string]: Value } | undefined {
    const out: { [key: string]: Value } = {};
    let pending = first;
    while (pending !== undefined || (at < lines.length && lines[at]!.indent === indent)) {
      const text = pending ?? lines[at++]!.text;
      pending = undefined;
      if (text.startsWith('- ') || text === '-') return undefined;
      const pair = keyValue(text);
      if (!pair || pair[0] === '__proto__' || Object.hasOwn(out, pair[0])) return undefined;
      const [key, value] = pair;
      if (value !== '') {
        const resolved = scalar(value);
        if (resolved === UNSUPPORTED) return undefined;
        out[key] = resolved;
        continue;
      }
      const next = lines[at];
      if (!next || next.indent < indent || (next.indent === indent && !next.text.startsWith('- ')))
        return undefined; // `key:` with nothing under it is null in YAML: not written by Condense
      const child = next.text.startsWith('- ') ? sequence(next.indent) : mapping(next.indent);
      if (child === undefined) return undefined;
      out[key] = child;
    }
    if (at < lines.length && lines[at]!.indent > indent) return undefined;
    return out;
  }
  function sequence(indent: number): Value[] | undefined {
    const out: Value[] = [];
    while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('- ')) {
      const item = lines[at++]!.text.slice(2);
      if (keyValue(item)) {
        const map = mapping(indent + 2, item);
        if (map === undefined) return undefined;
        out.push(map);
      } else {
        const resolved = scalar(item);
        if (resolved === UNSUPPORTED) return undefined;
        out.push(resolved);
      }
    }
    return out;
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const document = mapping(0);
  return document !== undefined && at === lines.length ? document : undefined;
}
