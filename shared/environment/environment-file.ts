import type { Document, Node } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

import { CondenseError } from '../api/errors';
import { type MatchSpec, MatchSpecError, parseMatchSpec } from '../conda/match-spec';
import { isKnownSelector, lineSelector } from './selectors';

/** Something Condense reads differently from a plain reading, or leaves out, with where it is. */
export interface EnvironmentWarning {
  line: number;
  column: number;
  message: string;
}

/** A conda dependency line: the match spec and conda-lock's platform selector, if the line has one. */
export interface EnvironmentDependency extends MatchSpec {
  /** `linux64` for `- gcc_linux-64  # [linux64]`. */
  selector?: string;
}

/**
 * What Condense reads from environment.yml: conda's keys (`name`, `channels`, `dependencies`,
 * `variables`) and conda-lock's (`platforms`, `category`, `pip-repositories`, selectors).
 * Everything is as written: selectors are not applied and `${VAR}` is not expanded here (see
 * `effectiveEnvironment` for one platform's view).
 */
export interface EnvironmentSpec {
  name?: string;
  /** Channels in priority order, as written (`conda-forge`, URLs, `nodefaults`). */
  channels: string[];
  /** Conda dependencies of every platform, parsed, each with its selector. */
  dependencies: EnvironmentDependency[];
  /** Lines of the `- pip:` section, as written (every platform). */
  pip: string[];
  /** Selectors of pip lines, by index into `pip`. */
  pipSelectors: Record<number, string>;
  /** conda-lock's non-standard `platforms:` key; empty when absent. */
  platforms: string[];
  /** `variables:`, which conda sets when it creates the environment; the image sets them as ENV. */
  variables: Record<string, string>;
  /** conda-lock's `category:` for every dependency of this file (default `main`). */
  category?: string;
  /** conda-lock's `pip-repositories:`, as written. */
  pipRepositories: string[];
  /** What Condense does not read the way the file might intend, with line and column. */
  warnings: EnvironmentWarning[];
}

/** An environment.yml error: the message names the line and column (1-based) too. */
export class EnvironmentFileError extends CondenseError {
  constructor(message: string, line: number, column: number) {
    super('INVALID_INPUT', `environment.yml line ${line}, column ${column}: ${message}`, {
      line,
      column,
    });
    this.name = 'EnvironmentFileError';
  }
}

/** A parsed environment.yml: the model, and the YAML document edits locate nodes in. */
export interface EnvironmentFile {
  text: string;
  spec: EnvironmentSpec;
  document: Document;
}

const KNOWN_KEYS = [
  'name',
  'channels',
  'dependencies',
  'variables',
  'prefix',
  'platforms',
  'category',
  'pip-repositories',
];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function nearestKey(key: string, known: string[] = KNOWN_KEYS): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

class Reader {
  readonly counter = new LineCounter();
  readonly lines: string[];
  readonly warnings: EnvironmentWarning[] = [];
  constructor(readonly text: string) {
    this.lines = text.split('\n');
  }
  at(offset: number) {
    return this.counter.linePos(offset);
  }
  fail(node: Node | null | undefined, message: string): never {
    const at = this.at(node?.range?.[0] ?? 0);
    throw new EnvironmentFileError(message, at.line, at.col);
  }
  warn(node: Node | null | undefined, message: string): void {
    const at = this.at(node?.range?.[0] ?? 0);
    this.warnings.push({ line: at.line, column: at.col, message });
  }
  /** conda-lock's selector of the line a node starts on. */
  selectorOf(node: Node): string | undefined {
    const line = this.lines[this.at(node.range?.[0] ?? 0).line - 1] ?? '';
    return lineSelector(line);
  }
  strings(node: unknown, key: string): string[] {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) this.fail(node as Node, `"${key}" must be a list`);
    return node.items.map((item) => {
      if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) {
        this.fail(item as Node, `each entry of "${key}" must be a plain string`);
      }
      return String(item.value);
    });
  }
}

function readDependency(reader: Reader, item: Node & { value?: unknown; type?: string }) {
  const value = String(item.value);
  try {
    return parseMatchSpec(value);
  } catch (error) {
    if (!(error instanceof MatchSpecError)) throw error;
    // Point inside the scalar: skip an opening quote when the value is quoted.
    const startOffset = (item.range?.[0] ?? 0) + (item.type === 'PLAIN' ? 0 : 1);
    const at = reader.at(startOffset + error.column - 1);
    throw new EnvironmentFileError(error.message, at.line, at.col);
  }
}

function readVariables(reader: Reader, node: unknown): Record<string, string> {
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) reader.fail(node as Node, '"variables" must be a mapping of NAME: value');
  const variables: Record<string, string> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!VARIABLE_NAME.test(key))
      reader.fail(
        pair.key as Node,
        `"${key}" is not an environment variable name (letters, digits, _)`,
      );
    const value = pair.value;
    if (isScalar(value) && value.value === null) variables[key] = '';
    else if (isScalar(value) && ['string', 'number', 'boolean'].includes(typeof value.value))
      variables[key] = String(value.value);
    else reader.fail(value as Node, `variable ${key} must be a plain value`);
  }
  return variables;
}

function warnSelectors(reader: Reader): void {
  reader.lines.forEach((line, index) => {
    const selector = lineSelector(line);
    if (selector === undefined || isKnownSelector(selector)) return;
    reader.warnings.push({
      line: index + 1,
      column: line.lastIndexOf(`[${selector}]`) + 1,
      message: `selector [${selector}] matches no platform: conda-lock reads one platform name only (linux, linux64, aarch64, ppc64le, osx, osx64, arm64, unix, win, win64), so this line is left out on every platform`,
    });
  });
}

/** Parses environment.yml text; errors are EnvironmentFileErrors with line and column. */
export function parseEnvironmentFile(text: string): EnvironmentFile {
  const reader: Reader = new Reader(text);
  const document = parseDocument(text, { lineCounter: reader.counter, keepSourceTokens: false });
  const first = document.errors[0];
  if (first) {
    const at = reader.at(first.pos[0]);
    throw new EnvironmentFileError(
      `invalid YAML: ${first.message.split('\n')[0]}`,
      at.line,
      at.col,
    );
  }
  const root = document.contents;
  if (root === null || root === undefined) {
    throw new EnvironmentFileError('the file is empty: add a "dependencies:" list', 1, 1);
  }
  if (!isMap(root))
    reader.fail(root, 'the top level must be a mapping (name:, channels:, dependencies:)');

  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (KNOWN_KEYS.includes(key)) continue;
    const near = nearestKey(key);
    reader.warn(
      pair.key,
      `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}: conda and Condense ignore it`,
    );
  }
  const spec: EnvironmentSpec = {
    channels: reader.strings(root.get('channels', true), 'channels'),
    dependencies: [],
    pip: [],
    pipSelectors: {},
    platforms: reader.strings(root.get('platforms', true), 'platforms'),
    variables: readVariables(reader, root.get('variables', true)),
    pipRepositories: reader.strings(root.get('pip-repositories', true), 'pip-repositories'),
    warnings: reader.warnings,
  };
  const name = root.get('name', true);
  if (name !== undefined && !(isScalar(name) && name.value === null)) {
    if (!isScalar(name) || typeof name.value !== 'string')
      reader.fail(name, '"name" must be a string');
    spec.name = name.value;
  }
  const category = root.get('category', true);
  if (category !== undefined && !(isScalar(category) && category.value === null)) {
    if (!isScalar(category) || typeof category.value !== 'string')
      reader.fail(category, '"category" must be a string such as main or dev');
    spec.category = category.value;
  }
  const prefix = root.get('prefix', true);
  if (prefix !== undefined)
    reader.warn(prefix, '"prefix" is ignored: the image installs the environment into /env');

  const deps = root.get('dependencies', true);
  // `dependencies:` with nothing after it is an empty list, not an error.
  if (deps !== undefined && deps !== null && !(isScalar(deps) && deps.value === null)) {
    if (!isSeq(deps)) reader.fail(deps, '"dependencies" must be a list');
    for (const item of deps.items) {
      if (isMap(item)) {
        const pip = item.get('pip', true);
        if (pip === undefined)
          reader.fail(item, 'only a "pip:" mapping may appear among dependencies');
        if (isSeq(pip)) {
          for (const line of pip.items as Node[]) {
            const selector = reader.selectorOf(line);
            if (selector !== undefined) spec.pipSelectors[spec.pip.length] = selector;
            if (isScalar(line) && /^-e\s/.test(String(line.value)))
              reader.warn(
                line,
                `editable "${String(line.value)}" cannot be locked: conda-lock leaves it out; install it in the image as your own package instead`,
              );
            if (!isScalar(line) || !['string', 'number'].includes(typeof line.value))
              reader.fail(line, 'each entry of "pip" must be a plain string');
            spec.pip.push(String(line.value));
          }
        } else reader.strings(pip, 'pip');
        continue;
      }
      if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) {
        reader.fail(
          item as Node,
          'each dependency must be a match spec string such as "numpy>=1.26"',
        );
      }
      const dependency: EnvironmentDependency = readDependency(reader, item as never);
      const selector = reader.selectorOf(item);
      if (selector !== undefined) dependency.selector = selector;
      spec.dependencies.push(dependency);
    }
  } else if (deps === undefined) {
    reader.warnings.push({
      line: 1,
      column: 1,
      message: 'no "dependencies:" list: nothing to install',
    });
  }
  warnSelectors(reader);
  spec.warnings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { text, spec, document };
}
