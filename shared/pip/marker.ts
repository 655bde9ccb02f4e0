/**
 * PEP 508 environment markers (`python_version < "3.12" and extra == "yaml"`) as a tree, and their
 * evaluation against one Python environment (the values pip reports as `environment`).
 */
export type Marker =
  | { op: 'and' | 'or'; left: Marker; right: Marker }
  | { op: 'compare'; left: MarkerValue; cmp: string; right: MarkerValue };

export type MarkerValue = { variable: string } | { literal: string };

export const MARKER_VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
] as const;

// Setuptools' old dotted spellings, still accepted by pip's `packaging`.
const LEGACY: Record<string, string> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};

const TOKEN = /\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`marker: cannot read "${text.slice(at).trim()}"`);
    tokens.push(match[1]!);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parses a marker; throws an Error naming what is wrong. */
export function parseMarker(text: string): Marker {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const value = (): MarkerValue => {
    const token = next();
    if (token === undefined) throw new Error('marker: ends where a value was expected');
    if (/^['"]/.test(token)) return { literal: token.slice(1, -1) };
    const variable = LEGACY[token] ?? token;
    if (!(MARKER_VARIABLES as readonly string[]).includes(variable))
      throw new Error(
        `marker: "${token}" is not a marker variable (${MARKER_VARIABLES.join(', ')}) or a quoted string`,
      );
    return { variable };
  };
  const expression = (): Marker => {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw new Error('marker: missing ")"');
      return inner;
    }
    const left = value();
    let cmp = next();
    if (cmp === 'not') {
      if (next() !== 'in') throw new Error('marker: "not" must be followed by "in"');
      cmp = 'not in';
    }
    if (
      cmp === undefined ||
      !['===', '==', '!=', '<=', '>=', '~=', '<', '>', 'in', 'not in'].includes(cmp)
    )
      throw new Error(
        `marker: "${cmp ?? ''}" is not a comparison (==, !=, <, <=, >, >=, ~=, in, not in)`,
      );
    const right = value();
    return { op: 'compare', left, cmp, right };
  };
  const and = (): Marker => {
    let left = expression();
    while (peek() === 'and') {
      next();
      left = { op: 'and', left, right: expression() };
    }
    return left;
  };
  const or = (): Marker => {
    let left = and();
    while (peek() === 'or') {
      next();
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (i < tokens.length) throw new Error(`marker: unexpected "${tokens[i]}"`);
  return tree;
}

const RELEASE = /^\d+(\.\d+)*$/;

function compareRelease(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const d = (x[k] ?? 0) - (y[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compare(left: string, cmp: string, right: string): boolean {
  if (cmp === 'in') return right.includes(left);
  if (cmp === 'not in') return !right.includes(left);
  if (cmp === '===') return left === right;
  if (RELEASE.test(left) && RELEASE.test(right)) {
    const d = compareRelease(left, right);
    switch (cmp) {
      case '==':
        return d === 0;
      case '!=':
        return d !== 0;
      case '<':
        return d < 0;
      case '<=':
        return d <= 0;
      case '>':
        return d > 0;
      case '>=':
        return d >= 0;
      case '~=': {
        // ~=X.Y means >=X.Y, ==X.*
        const prefix = right.split('.').slice(0, -1).join('.');
        return (
          d >= 0 &&
          compareRelease(left.split('.').slice(0, prefix.split('.').length).join('.'), prefix) === 0
        );
      }
    }
  }
  // PEP 508: values that are not versions compare as Python strings.
  switch (cmp) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    default:
      return false;
  }
}

const normalizeExtra = (e: string) => e.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * Evaluates a marker in `environment` (pip's report values) with the given extras requested:
 * `extra == "x"` is true when x is one of them.
 */
export function evaluateMarker(
  marker: Marker,
  environment: Record<string, string>,
  extras: string[] = [],
): boolean {
  if (marker.op !== 'compare') {
    const left = evaluateMarker(marker.left, environment, extras);
    if (marker.op === 'and') return left && evaluateMarker(marker.right, environment, extras);
    return left || evaluateMarker(marker.right, environment, extras);
  }
  const isExtra = (v: MarkerValue) => 'variable' in v && v.variable === 'extra';
  if (isExtra(marker.left) || isExtra(marker.right)) {
    const other = isExtra(marker.left) ? marker.right : marker.left;
    const wanted = 'literal' in other ? normalizeExtra(other.literal) : '';
    const has = extras.map(normalizeExtra).includes(wanted);
    return marker.cmp === '!=' ? !has : marker.cmp === '==' ? has : false;
  }
  const resolve = (v: MarkerValue): string => {
    if ('literal' in v) return v.literal;
    return environment[v.variable] ?? '';
  };
  return compare(resolve(marker.left), marker.cmp, resolve(marker.right));
}
