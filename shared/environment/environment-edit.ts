import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq, stringify } from 'yaml';

import { CondenseError } from '../api/errors';
import { parseMatchSpec } from '../conda/match-spec';
import { type EnvironmentFile, parseEnvironmentFile } from './environment-file';

/** Edits the app makes; each changes only its own lines of the file. */
export interface EnvironmentEdit {
  /** Adds a dependency or replaces the one with the same package name. */
  setDependency?: string;
  /** Removes the dependency with this package name. */
  removeDependency?: string;
  channels?: string[];
  platforms?: string[];
  name?: string;
}

/** `python=3.11` for `3.11` (what conda users mean: 3.11.*), `python>=3.10` for `>=3.10`. */
export function pythonDependency(version: string): string {
  const value = version.trim();
  if (value === '') return 'python';
  if (/^\d+(\.\d+)*$/.test(value)) return `python=${value}`;
  return /^[<>=!~]/.test(value) ? `python${value}` : `python ${value}`;
}

type Range = [number, number, number];
const rangeOf = (node: Node): Range => node.range as Range;

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the newline ending the line that holds `offset` (or the text's end). */
function nextLine(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end + 1;
}

/** A scalar in the style of the one it replaces: same quotes, else plain when YAML allows. */
function render(value: string, like?: Scalar): string {
  if (like?.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (like?.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** The `  - ` before a block sequence item, when the item starts its line. */
function itemPrefix(text: string, item: Node): string | undefined {
  const start = rangeOf(item)[0];
  const prefix = text.slice(lineStart(text, start), start);
  return /^\s*-\s+$/.test(prefix) ? prefix : undefined;
}

function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function rootOf(file: EnvironmentFile): YAMLMap {
  if (!isMap(file.document.contents))
    throw new CondenseError('INVALID_INPUT', 'environment.yml has no top-level mapping');
  return file.document.contents;
}

/** Where a new top-level key goes: before `dependencies:`, else at the end. */
function newKey(text: string, root: YAMLMap, block: string): string {
  const deps = root.items.find((p) => isScalar(p.key) && p.key.value === 'dependencies');
  if (deps) {
    const at = lineStart(text, rangeOf(deps.key as Node)[0]);
    return splice(text, at, at, block);
  }
  return withNewline(text) + block;
}

/** Block items on the lines after `key:` (whose value is empty). */
function afterKey(text: string, key: Node, block: string): string {
  const at = nextLine(text, rangeOf(key)[1]);
  return withNewline(text.slice(0, at)) + block + text.slice(at);
}

function flowList(values: string[]): string {
  return `[${values.map((v) => render(v)).join(', ')}]`;
}

/** Replaces a list's items, keeping each kept item's line (and the comments above it) as it was. */
function setList(text: string, key: string, values: string[]): string {
  const file = parseEnvironmentFile(text);
  const root = rootOf(file);
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
  const node = pair?.value as Node | null | undefined;
  const current = isSeq(node) ? node.items.map((i) => (isScalar(i) ? String(i.value) : '')) : [];
  if (JSON.stringify(current) === JSON.stringify(values)) return text;
  if (!pair)
    return newKey(text, root, `${key}:\n${values.map((v) => `  - ${render(v)}\n`).join('')}`);
  if (isSeq(node) && node.flow)
    return splice(text, rangeOf(node)[0], rangeOf(node)[1], flowList(values));
  if (!isSeq(node) || node.items.length === 0)
    return afterKey(text, pair.key as Node, values.map((v) => `  - ${render(v)}\n`).join(''));
  const seq = node as YAMLSeq<Node>;
  const prefix = itemPrefix(text, seq.items[0]!) ?? '  - ';
  const chunks = new Map<string, string>();
  let chunkStart = lineStart(text, rangeOf(seq.items[0]!)[0]);
  for (const item of seq.items) {
    const end = nextLine(text, rangeOf(item)[1] - 1);
    if (isScalar(item)) chunks.set(String(item.value), withNewline(text.slice(chunkStart, end)));
    chunkStart = end;
  }
  const regionStart = lineStart(text, rangeOf(seq.items[0]!)[0]);
  const body = values.map((v) => chunks.get(v) ?? `${prefix}${render(v)}\n`).join('');
  return splice(text, regionStart, chunkStart, body);
}

function dependencyIndex(seq: YAMLSeq<Node>, name: string): number {
  const matches = seq.items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => {
      if (!isScalar(item)) return false;
      try {
        return parseMatchSpec(String(item.value)).name === name;
      } catch {
        return false;
      }
    });
  return matches[0]?.index ?? -1;
}

function setDependency(text: string, value: string): string {
  const spec = parseMatchSpec(value);
  const file = parseEnvironmentFile(text);
  const root = rootOf(file);
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'dependencies');
  const node = pair?.value as Node | null | undefined;
  if (!pair) return withNewline(text) + `dependencies:\n  - ${render(spec.raw)}\n`;
  if (isSeq(node) && node.flow && node.items.length === 0)
    return splice(text, rangeOf(node)[0], rangeOf(node)[1], flowList([spec.raw]));
  if (!isSeq(node) || node.items.length === 0)
    return afterKey(text, pair.key as Node, `  - ${render(spec.raw)}\n`);
  const seq = node as YAMLSeq<Node>;
  const index = dependencyIndex(seq, spec.name);
  if (index >= 0) {
    const item = seq.items[index] as Scalar;
    if (String(item.value) === spec.raw) return text;
    const [from, to] = rangeOf(item);
    return splice(text, from, to, render(spec.raw, item));
  }
  if (seq.flow) {
    const close = text.lastIndexOf(']', rangeOf(seq)[1]);
    const before = seq.items.filter(isScalar).at(-1);
    const at = before ? rangeOf(before)[1] : close;
    return splice(text, at, at, `, ${render(spec.raw)}`);
  }
  // Conda entries go after the last conda entry, before the `- pip:` mapping, as conda's own files do.
  const pipIndex = seq.items.findIndex((item) => isMap(item));
  const conda = seq.items.slice(0, pipIndex < 0 ? undefined : pipIndex).filter(isScalar);
  const anchor = conda.at(-1) ?? seq.items[0]!;
  const prefix = itemPrefix(text, anchor) ?? '  - ';
  const at = conda.length
    ? nextLine(text, rangeOf(anchor)[1] - 1)
    : lineStart(text, rangeOf(anchor)[0]);
  return withNewline(text.slice(0, at)) + `${prefix}${render(spec.raw)}\n` + text.slice(at);
}

function removeDependency(text: string, name: string): string {
  const target = name.toLowerCase();
  const file = parseEnvironmentFile(text);
  const node = rootOf(file).get('dependencies', true) as Node | undefined;
  const seq = isSeq(node) ? (node as YAMLSeq<Node>) : undefined;
  const index = seq ? dependencyIndex(seq, target) : -1;
  if (!seq || index < 0)
    throw new CondenseError('NOT_FOUND', `environment.yml has no dependency named "${target}"`);
  const item = seq.items[index]!;
  if (seq.flow) {
    const kept = seq.items
      .filter((_, i) => i !== index)
      .map((i) => text.slice(rangeOf(i)[0], rangeOf(i)[1]));
    return splice(text, rangeOf(seq)[0], rangeOf(seq)[1], `[${kept.join(', ')}]`);
  }
  if (itemPrefix(text, item) === undefined)
    throw new CondenseError(
      'INVALID_INPUT',
      `cannot remove "${target}": its line holds more than the dependency; edit environment.yml by hand`,
    );
  return splice(text, lineStart(text, rangeOf(item)[0]), nextLine(text, rangeOf(item)[1] - 1), '');
}

function setName(text: string, name: string): string {
  const root = rootOf(parseEnvironmentFile(text));
  const node = root.get('name', true) as Node | undefined;
  if (isScalar(node)) {
    if (node.value === name) return text;
    return splice(text, rangeOf(node)[0], rangeOf(node)[1], render(name, node));
  }
  return `name: ${render(name)}\n` + text;
}

/**
 * Applies edits to the file's text and returns the new text. Only the lines an edit concerns change:
 * no re-indentation, no folding, comments and blank lines kept; an edit that changes nothing returns
 * the text unchanged (byte for byte). The result is validated by parsing it again.
 */
export function editEnvironmentFile(file: EnvironmentFile, edits: EnvironmentEdit[]): string {
  let text = file.text;
  for (const edit of edits) {
    if (edit.name !== undefined) text = setName(text, edit.name);
    if (edit.channels) text = setList(text, 'channels', edit.channels);
    if (edit.platforms) text = setList(text, 'platforms', edit.platforms);
    if (edit.setDependency !== undefined) text = setDependency(text, edit.setDependency);
    if (edit.removeDependency !== undefined) text = removeDependency(text, edit.removeDependency);
  }
  parseEnvironmentFile(text);
  return text;
}
