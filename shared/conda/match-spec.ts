import { CondenseError } from '../api/errors';
import { parsePackageFilename } from './lock-model';
import { KNOWN_SUBDIRS } from './platforms';

/**
 * A conda match spec (`numpy>=1.26,<2`, `python 3.11.*`, `conda-forge::scipy`, `blas=*=openblas`,
 * `numpy[version='>=1.26']`), read as conda's `MatchSpec` reads it (conda/models/match_spec.py,
 * `_parse_spec_str`). Differences with conda are listed in docs/DEVELOPING.md.
 */
export interface MatchSpec {
  /** As written (trimmed). */
  raw: string;
  /** Package name, lowercase (conda lowercases names too). */
  name: string;
  /**
   * The version spec as conda's `VersionSpec` holds it: `3.11.*` for `=3.11`, `1.7` for `==1.7` and
   * for `name=1.7=build`, `>=3.8,<3.9` for `>= 3.8, < 3.9`. Absent for any version.
   */
  version?: string;
  /** Build string pattern (`*openblas*`), absent for any build. */
  build?: string;
  /** Channel from `channel::name` or `[channel=...]`, canonical (`conda-forge`, or a URL). */
  channel?: string;
  /** Subdir from `channel/subdir::name` or `[subdir=...]`. */
  subdir?: string;
  /** Other bracket keys conda accepts (`md5`, `sha256`, `build_number`, `url`, `license`, ...). */
  keys?: Record<string, string>;
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

// conda's MatchSpec.FIELD_NAMES plus sha256 (conda 23.x and later).
const BRACKET_KEYS = new Set([
  'channel',
  'subdir',
  'name',
  'version',
  'build',
  'build_number',
  'track_features',
  'features',
  'url',
  'md5',
  'sha256',
  'license',
  'license_family',
  'fn',
]);

const NAME = /^[A-Za-z0-9_*][A-Za-z0-9_.*-]*$/;
// One version: conda's VersionOrder characters, optionally ending in a glob.
const VERSION_ATOM = /^(?:[0-9]+!)?[A-Za-z0-9_*]+(?:[.+_-][A-Za-z0-9_*]+)*(?:\.\*)?$/;
const OPERATOR = /^(==|!=|<=|>=|~=|<|>|=)?(.*)$/;

function fail(message: string, column: number): never {
  throw new MatchSpecError(message, column);
}

/** conda's `Channel.canonical_name` for the channels Condense can see. */
export function canonicalChannel(channel: string): string {
  const trimmed = channel.replace(/\/+$/, '');
  const alias = /^https?:\/\/conda\.anaconda\.org\/(.+)$/.exec(trimmed);
  if (alias) return alias[1]!;
  const repo = /^https?:\/\/repo\.anaconda\.com\/(pkgs\/.+)$/.exec(trimmed);
  if (repo) return ['pkgs/main', 'pkgs/r', 'pkgs/msys2'].includes(repo[1]!) ? 'defaults' : repo[1]!;
  return trimmed;
}

/** `channel/subdir` -> {channel, subdir} when the last part is a known subdir (conda's `_parse_channel`). */
function splitChannel(value: string): { channel?: string; subdir?: string } {
  const slash = value.lastIndexOf('/');
  const tail = slash >= 0 ? value.slice(slash + 1) : '';
  const head = slash >= 0 ? value.slice(0, slash) : value;
  const result: { channel?: string; subdir?: string } = KNOWN_SUBDIRS.includes(tail)
    ? { channel: head, subdir: tail }
    : { channel: value };
  // `*/win-32::numpy`: any channel, that subdir.
  if (result.channel === '*' || result.channel === '') delete result.channel;
  else if (result.channel) result.channel = canonicalChannel(result.channel);
  return result;
}

/** Reads `[key=value, key='value' key="value"]`; `offset` is the 0-based position of `[`. */
function parseBrackets(body: string, offset: number): Record<string, string> {
  const result: Record<string, string> = {};
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^,\]\s'"]*))\s*(?:,|\s|$)/y;
  let index = 0;
  while (index < body.length) {
    if (body.slice(index).trim() === '') break;
    pattern.lastIndex = index;
    const match = pattern.exec(body);
    if (!match || pattern.lastIndex === index)
      fail(`cannot read "[${body}]": expected key=value pairs`, offset + index + 2);
    const key = match[1]!;
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    if (!BRACKET_KEYS.has(key))
      fail(
        `unknown key "${key}" in [ ]: conda knows ${[...BRACKET_KEYS].join(', ')}`,
        offset + index + 2,
      );
    if (value === '') fail(`"${key}=" has no value`, offset + index + 2);
    result[key] = value;
    index = pattern.lastIndex;
  }
  return result;
}

/**
 * conda's `_parse_version_plus_build`: the last word (after a space or a `=` that does not belong
 * to an operator) is the build; spaces inside the version are dropped (`>= 3.8, < 3.9`).
 */
function splitVersionBuild(text: string): { version: string; build?: string } {
  const match = /^((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$/.exec(text);
  if (!match) return { version: text.replace(/ /g, '') };
  const build = match[2]?.trim();
  return { version: match[1]!.replace(/\s/g, ''), ...(build ? { build } : {}) };
}

/** Checks each atom of a version spec (`>=1.2,<2|1.5.*`) the way conda's VersionSpec would refuse it. */
function checkVersion(version: string, column: number, raw: string): void {
  if (/^[=<>!~]+$/.test(version)) fail(`operator without a version in "${raw}"`, column);
  const atoms = version.replace(/[()]/g, '').split(/[,|]/);
  let at = column;
  for (const atom of atoms) {
    const [, operator = '', rest = ''] = OPERATOR.exec(atom)!;
    if (atom === '') fail(`empty version constraint in "${raw}"`, at);
    if (rest === '') fail(`operator without a version in "${raw}"`, at + atom.length - 1);
    if (rest !== '*' && !VERSION_ATOM.test(rest)) {
      const bad = [...rest].findIndex((c) => !/[A-Za-z0-9_.*+!-]/.test(c));
      fail(
        bad >= 0
          ? `invalid character "${rest[bad]}" in version "${version}" of "${raw}"`
          : `invalid version "${rest}" in "${raw}" (empty part or misplaced "*")`,
        at + operator.length + Math.max(bad, 0),
      );
    }
    if (operator === '~=' && rest.includes('*')) fail(`"~=" cannot take a "*" in "${raw}"`, at);
    at += atom.length + 1;
  }
}

/**
 * conda's `VersionSpec` text for a simple spec: `1.7*` is held as `1.7.*`. Trees keep their text,
 * with the same rule applied to each atom.
 */
function normalizeVersion(version: string): string {
  return version.replace(/(^|[,|(])([^,|()]*)/g, (_all, sep: string, atom: string) => {
    if (/^[0-9A-Za-z]/.test(atom) && atom.endsWith('*') && !atom.endsWith('.*') && atom !== '*')
      return `${sep}${atom.slice(0, -1)}.*`;
    return `${sep}${atom}`;
  });
}

/** A package URL as a spec: name, exact version and build from the file name, channel and subdir from the path. */
function urlSpec(raw: string): MatchSpec {
  const path = raw.replace(/[?#].*$/, '');
  const segments = path.split('/');
  const filename = decodeURIComponent(segments.at(-1) ?? '');
  const parts = parsePackageFilename(filename);
  if (!parts)
    fail(`"${filename}" is not a conda package file name`, raw.length - filename.length + 1);
  const subdir = segments.at(-2) ?? '';
  const spec: MatchSpec = {
    raw,
    name: parts.name.toLowerCase(),
    version: parts.version,
    build: parts.build,
    keys: { url: raw },
  };
  if (KNOWN_SUBDIRS.includes(subdir)) {
    spec.subdir = subdir;
    spec.channel = canonicalChannel(segments.slice(0, -2).join('/'));
  }
  return spec;
}

/**
 * Parses one conda match spec. Throws MatchSpecError with a column for anything conda would refuse
 * to read, so environment.yml errors can point at the character.
 */
export function parseMatchSpec(input: string): MatchSpec {
  const lead = input.length - input.trimStart().length;
  // conda strips a `#` comment and a trailing ` if ...` condition.
  let text = input.trim();
  const hash = text.indexOf('#');
  if (hash >= 0 && !/^[a-z]+:\/\//.test(text)) text = text.slice(0, hash).trimEnd();
  const raw = text;
  if (raw === '') fail('empty match spec: write a package name such as "numpy"', lead + 1);
  if (/^(?:https?|file):\/\/|^\//.test(raw) && /\.(?:conda|tar\.bz2)$/.test(raw))
    return urlSpec(raw);

  let rest = raw;
  // Brackets: the last `[...]` section, wherever it sits.
  let keys: Record<string, string> = {};
  const open = rest.indexOf('[');
  if (open >= 0) {
    const close = rest.lastIndexOf(']');
    if (close < open) fail('unclosed "[" in match spec: add the closing "]"', lead + open + 1);
    if (rest.slice(close + 1).trim() !== '')
      fail(`unexpected text after "]" in "${raw}"`, lead + close + 2);
    if (rest.indexOf('[', open + 1) >= 0 && rest.indexOf('[', open + 1) < close)
      fail(
        'only one [ ] section is allowed in a match spec',
        lead + rest.indexOf('[', open + 1) + 1,
      );
    keys = parseBrackets(rest.slice(open + 1, close), lead + open);
    rest = rest.slice(0, open);
  }
  if (/\(.*\)\s*$/.test(rest) && !/[,|]/.test(rest)) {
    fail(
      `"( )" options are not supported in "${raw}": use [ ] instead`,
      lead + rest.indexOf('(') + 1,
    );
  }

  // `channel::name` and `channel::namespace:name` (conda splits from the right on ":").
  let start = lead;
  const spec: Partial<MatchSpec> = {};
  const colons = rest.lastIndexOf('::');
  if (colons >= 0) {
    const channelPart = rest.slice(0, colons);
    if (channelPart === '') fail('missing channel before "::"', start + 1);
    Object.assign(spec, splitChannel(channelPart));
    start += colons + 2;
    rest = rest.slice(colons + 2);
  }
  if (keys.channel !== undefined) {
    const fromKey = splitChannel(keys.channel);
    if (fromKey.channel) spec.channel = fromKey.channel;
    if (fromKey.subdir) spec.subdir = fromKey.subdir;
    delete keys.channel;
  }
  if (keys.subdir !== undefined) {
    spec.subdir = keys.subdir;
    delete keys.subdir;
  }

  // Name, then version and build (conda's `([^ =<>!~]+)?([><!=~ ].+)?`).
  // conda documents `numpy=` as plain `numpy`.
  if (/^[^ =<>!~]+=$/.test(rest)) rest = rest.slice(0, -1);
  const nameMatch = /^([^ =<>!~]+)?([><!=~ ].+)?$/.exec(rest);
  const name = nameMatch?.[1];
  if (!nameMatch || name === undefined) fail(`no package name in "${raw}"`, start + 1);
  if (!NAME.test(name)) {
    const bad = [...name].findIndex(
      (c, i) => !/[A-Za-z0-9_.*-]/.test(c) || (i === 0 && /[.-]/.test(c)),
    );
    fail(
      `invalid character "${name[Math.max(bad, 0)]}" in package name "${name}"`,
      start + Math.max(bad, 0) + 1,
    );
  }
  spec.name = name.toLowerCase();
  const after = nameMatch[2];
  const versionColumn =
    start + name.length + (after ? after.length - after.trimStart().length : 0) + 1;
  const tail = after?.trim();
  let version: string | undefined;
  let build: string | undefined;
  if (tail) {
    ({ version, build } = splitVersionBuild(tail));
    if (/\s/.test(build ?? ''))
      fail(`too many words in "${raw}": expected "name [version [build]]"`, versionColumn);
    if (version === '==' || version === '=')
      fail(`operator without a version in "${raw}"`, versionColumn);
    if (version.startsWith('=')) {
      const test = version.slice(1);
      if (version.startsWith('==') && build === undefined) version = version.slice(2);
      else if (!/[=,|]/.test(test)) {
        version = build === undefined && !test.endsWith('*') ? `${test}*` : test;
      }
    }
    checkVersion(version, versionColumn, raw);
    if (build !== undefined && /[=,|<>~\s]/.test(build))
      fail(`invalid build string "${build}" in "${raw}"`, versionColumn + tail.lastIndexOf(build));
  }
  if (keys.version !== undefined) {
    version = keys.version.replace(/\s/g, '');
    checkVersion(version, versionColumn, raw);
    delete keys.version;
  }
  if (keys.build !== undefined) {
    build = keys.build;
    delete keys.build;
  }
  // conda ignores `[name=...]`: the name outside the brackets wins.
  delete keys.name;
  if (version !== undefined && version !== '*') spec.version = normalizeVersion(version);
  if (build !== undefined && build !== '*') spec.build = build;
  return { raw, ...spec, ...(Object.keys(keys).length ? { keys } : {}) } as MatchSpec;
}

/** True when the version spec pins one version exactly (`1.7`, `==1.7`). */
export function isExactVersion(version: string | undefined): boolean {
  return version !== undefined && !/[*,|<>!~=()]/.test(version.replace(/^==/, ''));
}

/**
 * The spec in the plain `name version build[keys]` form every solver reads the same way (rattler's
 * strict parser refuses `name=1.0=build` and wants `==` for an exact version). No channel: the
 * caller enforces it.
 */
export function solverSpec(spec: MatchSpec): string {
  const version = spec.version
    ? isExactVersion(spec.version) && !spec.version.startsWith('==')
      ? `==${spec.version}`
      : spec.version
    : spec.build
      ? '*'
      : '';
  const keys = Object.entries(spec.keys ?? {}).filter(([k]) => k !== 'url');
  const brackets = keys.length ? `[${keys.map(([k, v]) => `${k}='${v}'`).join(', ')}]` : '';
  return [spec.name, version, spec.build ?? ''].filter(Boolean).join(' ') + brackets;
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
