import { CondenseError } from '../api/errors';

/**
 * A conda match spec as written in environment.yml (`numpy>=1.26,<2`, `python 3.11.*`,
 * `conda-forge::scipy`, `blas=*=openblas`, `numpy[version='>=1.26']`). Only the parts Condense needs
 * are split out; `raw` is what goes to the solver unchanged.
 */
export interface MatchSpec {
  raw: string;
  /** Package name, lowercase. */
  name: string;
  /** Version constraint as written (`>=1.26,<2`, `3.11.*`), absent for any version. */
  version?: string;
  /** Build string pattern (`*openblas*`), absent for any build. */
  build?: string;
  /** Channel from `channel::name` or `[channel=...]`. */
  channel?: string;
  /** Subdir from `channel/subdir::name` or `[subdir=...]`. */
  subdir?: string;
}

/** A match spec error: what is wrong and the 1-based column inside the spec where it was found. */
export class MatchSpecError extends CondenseError {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super('INVALID_INPUT', message, { column });
    this.name = 'MatchSpecError';
  }
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// Version constraints: alphanumerics, separators, operators, globs, `|` and `,` combinations.
const VERSION = /^[A-Za-z0-9_.*+!<>=~,|()]+$/;
const BUILD = /^[A-Za-z0-9_.*+!]+$/;
const OPERATOR_START = /[<>=!~]/;

function fail(message: string, column: number): never {
  throw new MatchSpecError(message, column);
}

/** Parses the `[key=value, ...]` suffix; `offset` is the bracket's 0-based position. */
function parseBrackets(body: string, offset: number): Record<string, string> {
  const result: Record<string, string> = {};
  const pattern = /\s*([a-z_]+)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^,\]\s]+))\s*(,|$)/y;
  let index = 0;
  while (index < body.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(body);
    if (!match) fail(`cannot read "[${body}]": expected key=value pairs`, offset + index + 2);
    result[match[1]!] = match[2] ?? match[3] ?? match[4] ?? '';
    index = pattern.lastIndex;
  }
  return result;
}

/**
 * Parses one conda match spec. Throws MatchSpecError with a column for anything conda would refuse
 * to read, so environment.yml errors can point at the character.
 */
export function parseMatchSpec(input: string): MatchSpec {
  const raw = input.trim();
  const lead = input.length - input.trimStart().length;
  if (raw === '') fail('empty match spec: write a package name such as "numpy"', lead + 1);
  let rest = raw;
  let start = lead;
  const spec: Partial<MatchSpec> = {};

  const bracket = rest.indexOf('[');
  let keys: Record<string, string> = {};
  if (bracket >= 0) {
    if (!rest.endsWith(']'))
      fail('unclosed "[" in match spec: add the closing "]"', start + bracket + 1);
    keys = parseBrackets(rest.slice(bracket + 1, -1), start + bracket);
    rest = rest.slice(0, bracket).trimEnd();
  }

  const colons = rest.indexOf('::');
  if (colons >= 0) {
    const channelPart = rest.slice(0, colons);
    if (channelPart === '') fail('missing channel before "::"', start + 1);
    const slash = channelPart.lastIndexOf('/');
    const maybeSubdir = slash >= 0 ? channelPart.slice(slash + 1) : '';
    if (/^(noarch|linux-|osx-|win-)/.test(maybeSubdir)) {
      spec.channel = channelPart.slice(0, slash);
      spec.subdir = maybeSubdir;
    } else spec.channel = channelPart;
    start += colons + 2;
    rest = rest.slice(colons + 2);
  }

  const nameMatch = /^[^\s<>=!~]+/.exec(rest);
  if (!nameMatch) fail('missing package name', start + 1);
  const name = nameMatch[0];
  if (!NAME.test(name)) {
    const bad = [...name].findIndex(
      (c, i) => !/[A-Za-z0-9_.-]/.test(c) || (i === 0 && /[.-]/.test(c)),
    );
    fail(
      `invalid character "${name[Math.max(bad, 0)]}" in package name "${name}"`,
      start + Math.max(bad, 0) + 1,
    );
  }
  spec.name = name.toLowerCase();
  const after = rest.slice(name.length);
  let column = start + name.length;

  if (after.trim() !== '') {
    let version: string;
    let build: string | undefined;
    const trimmed = after.trimStart();
    column += after.length - trimmed.length;
    if (/^\s/.test(after)) {
      // `name version [build]`
      const parts = trimmed.split(/\s+/);
      if (parts.length > 2) {
        fail(`too many words in "${raw}": expected "name [version [build]]"`, column + 1);
      }
      version = parts[0]!;
      build = parts[1];
    } else if (trimmed.startsWith('=') && !trimmed.startsWith('==')) {
      // `name=1.2` means 1.2.*, `name=1.2=build`
      const parts = trimmed.slice(1).split('=');
      if (parts.length > 2) fail(`too many "=" in "${raw}"`, column + 1);
      version = parts[0] === '' || parts[0] === '*' ? '*' : parts[0]!;
      if (!/[*<>,|]/.test(version)) version = `${version}.*`;
      build = parts[1];
      column += 1;
    } else if (OPERATOR_START.test(trimmed[0]!)) {
      version = trimmed;
    } else {
      fail(`unexpected "${trimmed[0]}" after package name`, column + 1);
    }
    const badVersion = [...version].findIndex((c) => !VERSION.test(c));
    if (version === '' || badVersion >= 0) {
      fail(`invalid version "${version}" in "${raw}"`, column + Math.max(badVersion, 0) + 1);
    }
    if (/[<>=!~]$/.test(version))
      fail(`operator without a version in "${raw}"`, column + version.length);
    if (version !== '*') spec.version = version;
    if (build !== undefined) {
      if (!BUILD.test(build))
        fail(`invalid build string "${build}" in "${raw}"`, column + version.length + 2);
      if (build !== '*') spec.build = build;
    }
  }

  if (keys.version !== undefined) spec.version = keys.version;
  if (keys.build !== undefined) spec.build = keys.build;
  if (keys.channel !== undefined) spec.channel = keys.channel;
  if (keys.subdir !== undefined) spec.subdir = keys.subdir;
  return { raw, ...spec } as MatchSpec;
}

/** The package name a dependency string of repodata (`libgcc-ng >=12`) refers to. */
export function dependencyName(dependency: string): string {
  return dependency
    .trim()
    .split(/[\s<>=!~[]/)[0]!
    .toLowerCase();
}

/** The constraint part of a repodata dependency (`>=12`, `3.11.* *_cp311`), `*` when there is none. */
export function dependencyConstraint(dependency: string): string {
  const name = dependencyName(dependency);
  const rest = dependency.trim().slice(name.length).trim();
  return rest === '' ? '*' : rest;
}
