import { CondenseError } from '../api/errors';
import { type Marker, parseMarker } from './marker';

/**
 * One requirement of environment.yml's `pip:` section, read by PEP 508's grammar
 * (https://peps.python.org/pep-0508/): `name[extra,...] specifier ; marker` or `name[extra] @ URL ; marker`.
 */
export interface PipRequirement {
  raw: string;
  /** As written (`PyYAML`). */
  name: string;
  /** PEP 503 normalized (`pyyaml`): how indexes and pip compare names. */
  normalized: string;
  extras: string[];
  /** Version specifier as written, spaces removed (`>=6,<7`); empty for any version. */
  specifier: string;
  /** `name @ URL`: a direct reference instead of an index lookup. */
  url?: string;
  /** The marker text after `;`, as written; absent when the requirement always applies. */
  marker?: string;
  markerTree?: Marker;
}

/** What the whole `pip:` section asks for. */
export interface PipSection {
  requirements: PipRequirement[];
  /** `--index-url`: replaces PyPI; undefined means PyPI. */
  indexUrl?: string;
  /** `--extra-index-url` lines, in order. */
  extraIndexUrls: string[];
}

export const PYPI_INDEX = 'https://pypi.org/simple';

/** A pip line Condense cannot take, with what to do instead. */
export class PipRequirementError extends CondenseError {
  constructor(line: string, reason: string) {
    super('INVALID_INPUT', `pip requirement "${line}": ${reason}`, { line });
    this.name = 'PipRequirementError';
  }
}

/** PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizePipName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])/;
const IDENTIFIER = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const VERSION_ONE = /^(===|~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)$/;
const OWN_PACKAGE_HINT =
  'Condense installs your own code through the recipe\'s own-package field (condense.yml "package: {path: ...}", the Image screen\'s "Your package"), not through environment.yml';

function isLocalPath(text: string): boolean {
  if (/^file:/i.test(text)) return true;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return false;
  return (
    /^(\.|\.\.|~)?\//.test(text) ||
    text === '.' ||
    text === '..' ||
    /^[A-Za-z]:[\\/]/.test(text) ||
    /\.(whl|tar\.gz|zip)$/i.test(text)
  );
}

function stripComment(line: string): string {
  // pip: a comment starts at `#` at the line start or after whitespace (URL fragments stay).
  const index = line.search(/(^|\s)#/);
  return (index < 0 ? line : line.slice(0, index)).trim();
}

/** Parses one version specifier list (`>=1.0, <2`), returning it without spaces. */
function parseSpecifier(text: string, line: string): string {
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    if (!VERSION_ONE.test(part))
      throw new PipRequirementError(
        line,
        `"${part || text}" is not a version specifier (use e.g. ==1.2, >=1.0,<2, ~=1.4)`,
      );
    const [, op, version] = VERSION_ONE.exec(part)!;
    if (version!.includes('*') && op !== '==' && op !== '!=')
      throw new PipRequirementError(line, `a wildcard version needs == or != (not ${op})`);
  }
  return parts.map((p) => p.replace(/\s+/g, '')).join(',');
}

/** Parses a PEP 508 requirement (no pip options). */
export function parseRequirement(input: string): PipRequirement {
  const line = stripComment(input);
  const raw = line;
  if (line === '') throw new PipRequirementError(input, 'the line is empty');
  if (/^(-e|--editable)(\s|=|$)/.test(line))
    throw new PipRequirementError(line, `editable installs cannot be locked. ${OWN_PACKAGE_HINT}.`);
  if (/^[./~]/.test(line) || (!line.includes('@') && isLocalPath(line)))
    throw new PipRequirementError(line, `local paths cannot be locked. ${OWN_PACKAGE_HINT}.`);
  const nameMatch = NAME.exec(line);
  if (!nameMatch)
    throw new PipRequirementError(
      line,
      'a requirement starts with a package name (letters, digits, ".", "-", "_")',
    );
  const name = nameMatch[1]!;
  let rest = line.slice(name.length).trimStart();
  const extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw new PipRequirementError(line, 'the extras list has no closing "]"');
    const inner = rest.slice(1, end).trim();
    if (inner !== '') {
      for (const extra of inner.split(',').map((e) => e.trim())) {
        if (!IDENTIFIER.test(extra))
          throw new PipRequirementError(line, `"${extra}" is not an extra name`);
        extras.push(extra);
      }
    }
    rest = rest.slice(end + 1).trimStart();
  }
  let url: string | undefined;
  let specifier = '';
  let markerText: string | undefined;
  if (rest.startsWith('@')) {
    const after = rest.slice(1).trimStart();
    // PEP 508: the URL ends at whitespace; a marker after a URL needs a space before ";".
    const end = after.search(/\s/);
    url = end < 0 ? after : after.slice(0, end);
    rest = end < 0 ? '' : after.slice(end).trimStart();
    if (url === '') throw new PipRequirementError(line, '"@" must be followed by a URL');
    if (/;\s*[a-z_.]+\s*(==|!=|<|>|~=|in\b|not\b)/.test(url))
      throw new PipRequirementError(line, 'put a space before ";" after a URL (PEP 508)');
    if (isLocalPath(url))
      throw new PipRequirementError(line, `local files cannot be locked. ${OWN_PACKAGE_HINT}.`);
    if (!/^https?:\/\/[^/\s]+/i.test(url))
      throw new PipRequirementError(line, `"${url}" is not an http(s) URL`);
    if (rest !== '' && !rest.startsWith(';'))
      throw new PipRequirementError(line, `unexpected "${rest}" after the URL`);
  } else {
    const semicolon = rest.indexOf(';');
    let spec = (semicolon < 0 ? rest : rest.slice(0, semicolon)).trim();
    rest = semicolon < 0 ? '' : rest.slice(semicolon);
    if (spec.startsWith('(')) {
      if (!spec.endsWith(')')) throw new PipRequirementError(line, 'unbalanced "(" in the version');
      spec = spec.slice(1, -1).trim();
    }
    if (spec !== '') specifier = parseSpecifier(spec, line);
  }
  let markerTree: Marker | undefined;
  if (rest.startsWith(';')) {
    markerText = rest.slice(1).trim();
    if (markerText === '') throw new PipRequirementError(line, 'nothing follows ";"');
    try {
      markerTree = parseMarker(markerText);
    } catch (error) {
      throw new PipRequirementError(line, (error as Error).message);
    }
  } else if (rest !== '') {
    throw new PipRequirementError(line, `unexpected "${rest}"`);
  }
  return {
    raw,
    name,
    normalized: normalizePipName(name),
    extras,
    specifier,
    ...(url ? { url } : {}),
    ...(markerText ? { marker: markerText, markerTree } : {}),
  };
}

const INDEX_OPTION = /^(--index-url|-i|--extra-index-url)(?:\s*=\s*|\s+)(\S+)$/;

/** Parses the `pip:` lines of environment.yml. Errors name the line and say what to do. */
export function parsePipSection(lines: string[]): PipSection {
  const section: PipSection = { requirements: [], extraIndexUrls: [] };
  const seen = new Map<string, string>();
  for (const input of lines) {
    const line = stripComment(input);
    if (line === '') continue;
    if (line.startsWith('-')) {
      const option = INDEX_OPTION.exec(line);
      if (option) {
        const url = option[2]!.replace(/\/+$/, '');
        if (!/^https?:\/\/[^/\s]+/i.test(url))
          throw new PipRequirementError(line, `"${url}" is not an http(s) index URL`);
        if (option[1] === '--extra-index-url') section.extraIndexUrls.push(url);
        else if (section.indexUrl !== undefined && section.indexUrl !== url)
          throw new PipRequirementError(
            line,
            'only one --index-url may be given; add the others with --extra-index-url',
          );
        else section.indexUrl = url;
        continue;
      }
      if (/^(-e|--editable)(\s|=|$)/.test(line))
        throw new PipRequirementError(
          line,
          `editable installs cannot be locked. ${OWN_PACKAGE_HINT}.`,
        );
      throw new PipRequirementError(
        line,
        'Condense takes requirements and --index-url / --extra-index-url lines only; write other pip options as requirements or remove them',
      );
    }
    const requirement = parseRequirement(line);
    const earlier = seen.get(requirement.normalized);
    if (earlier !== undefined)
      throw new PipRequirementError(
        line,
        `${requirement.name} is already required by "${earlier}": keep one line`,
      );
    seen.set(requirement.normalized, line);
    section.requirements.push(requirement);
  }
  return section;
}

/** The requirement line pip is given: name, extras, specifier or URL, marker. */
export function formatRequirement(r: PipRequirement): string {
  const extras = r.extras.length ? `[${r.extras.join(',')}]` : '';
  const target = r.url ? ` @ ${r.url}` : r.specifier;
  const marker = r.marker ? `${r.url ? ' ' : ''}; ${r.marker}` : '';
  return `${r.name}${extras}${target}${marker}`;
}

/** The line with its version pinned to `==version` (extras and marker kept). */
export function pinRequirement(line: string, version: string): string {
  const r = parseRequirement(line);
  if (r.url) throw new PipRequirementError(line, 'a URL requirement is already exact');
  if (!/^[A-Za-z0-9_.+!-]+$/.test(version))
    throw new PipRequirementError(line, `"${version}" is not a version`);
  return formatRequirement({ ...r, specifier: `==${version}` });
}

/** True when the specifier pins one version with `==` (no wildcard) or `===`. */
export function isExactPin(specifier: string): boolean {
  return /^(===?)[^,*]+$/.test(specifier);
}
