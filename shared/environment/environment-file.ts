import type { Document, Node } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLSeq } from 'yaml';

import { CondenseError } from '../api/errors';
import { type MatchSpec, MatchSpecError, parseMatchSpec } from '../conda/match-spec';
import { editPipSection } from '../pip/environment-edit';

/** What Condense reads from environment.yml (conda's format plus conda-lock's `platforms:` key). */
export interface EnvironmentSpec {
  name?: string;
  /** Channels in priority order, as written (`conda-forge`, URLs, `nodefaults`). */
  channels: string[];
  /** Conda dependencies, parsed. */
  dependencies: MatchSpec[];
  /** Lines of the `- pip:` section, as written. */
  pip: string[];
  /** conda-lock's non-standard `platforms:` key; empty when absent. */
  platforms: string[];
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

/** A parsed environment.yml: the model, and the YAML document that keeps comments for edits. */
export interface EnvironmentFile {
  spec: EnvironmentSpec;
  document: Document;
}

function position(counter: LineCounter, offset: number): { line: number; col: number } {
  return counter.linePos(offset);
}

function nodeError(counter: LineCounter, node: Node | null | undefined, message: string): never {
  const at = position(counter, node?.range?.[0] ?? 0);
  throw new EnvironmentFileError(message, at.line, at.col);
}

function stringList(counter: LineCounter, node: unknown, key: string): string[] {
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) nodeError(counter, node as Node, `"${key}" must be a list`);
  return node.items.map((item) => {
    if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) {
      nodeError(counter, item as Node, `each entry of "${key}" must be a plain string`);
    }
    return String(item.value);
  });
}

/** Parses environment.yml text; every problem is an EnvironmentFileError with line and column. */
export function parseEnvironmentFile(text: string): EnvironmentFile {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, keepSourceTokens: false });
  const first = document.errors[0];
  if (first) {
    const at = position(counter, first.pos[0]);
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
    nodeError(counter, root, 'the top level must be a mapping (name:, channels:, dependencies:)');

  const name = root.get('name', true);
  const spec: EnvironmentSpec = {
    channels: stringList(counter, root.get('channels', true), 'channels'),
    dependencies: [],
    pip: [],
    platforms: stringList(counter, root.get('platforms', true), 'platforms'),
  };
  if (name !== undefined) {
    if (!isScalar(name) || typeof name.value !== 'string')
      nodeError(counter, name, '"name" must be a string');
    spec.name = name.value;
  }
  const deps = root.get('dependencies', true);
  // `dependencies:` with nothing after it is an empty list, not an error.
  if (deps !== undefined && deps !== null && !(isScalar(deps) && deps.value === null)) {
    if (!isSeq(deps)) nodeError(counter, deps, '"dependencies" must be a list');
    for (const item of deps.items) {
      if (isMap(item)) {
        const pip = item.get('pip', true);
        if (pip === undefined)
          nodeError(counter, item, 'only a "pip:" mapping may appear among dependencies');
        spec.pip.push(...stringList(counter, pip, 'pip'));
        continue;
      }
      if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) {
        nodeError(
          counter,
          item as Node,
          'each dependency must be a match spec string such as "numpy>=1.26"',
        );
      }
      const value = String(item.value);
      try {
        spec.dependencies.push(parseMatchSpec(value));
      } catch (error) {
        if (!(error instanceof MatchSpecError)) throw error;
        // Point inside the scalar: skip an opening quote when the value is quoted.
        const startOffset = (item.range?.[0] ?? 0) + (item.type === 'PLAIN' ? 0 : 1);
        const at = position(counter, startOffset + error.column - 1);
        throw new EnvironmentFileError(error.message, at.line, at.col);
      }
    }
  }
  return { spec, document };
}

/** Edits the app makes; each keeps the user's comments and key order. */
export interface EnvironmentEdit {
  /** Adds a dependency or replaces the one with the same package name. */
  setDependency?: string;
  /** Removes the dependency with this package name. */
  removeDependency?: string;
  /** Adds a `pip:` requirement line or replaces the one for the same package (PEP 503 names). */
  setPipRequirement?: string;
  /** Removes the `pip:` requirement of this package. */
  removePipRequirement?: string;
  channels?: string[];
  platforms?: string[];
  name?: string;
}

/** Applies edits to the document and returns the new text (validated by parsing it again). */
export function editEnvironmentFile(file: EnvironmentFile, edits: EnvironmentEdit[]): string {
  const document = file.document.clone();
  if (!isMap(document.contents))
    throw new CondenseError('INVALID_INPUT', 'environment.yml has no top-level mapping');
  for (const edit of edits) {
    if (edit.setPipRequirement !== undefined || edit.removePipRequirement !== undefined)
      editPipSection(document, edit);
    if (edit.name !== undefined) document.set('name', edit.name);
    if (edit.channels) document.set('channels', document.createNode(edit.channels));
    if (edit.platforms) document.set('platforms', document.createNode(edit.platforms));
    if (edit.setDependency !== undefined || edit.removeDependency !== undefined) {
      let deps = document.get('dependencies', true);
      if (!isSeq(deps)) {
        deps = new YAMLSeq();
        document.set('dependencies', deps);
      }
      const seq = deps as YAMLSeq;
      const target =
        edit.setDependency !== undefined
          ? parseMatchSpec(edit.setDependency).name
          : edit.removeDependency!.toLowerCase();
      const index = seq.items.findIndex((item) => {
        if (!isScalar(item) || typeof item.value !== 'string') return false;
        try {
          return parseMatchSpec(item.value).name === target;
        } catch {
          return false;
        }
      });
      if (edit.setDependency !== undefined) {
        const value = parseMatchSpec(edit.setDependency).raw;
        if (index >= 0) (seq.items[index] as { value: unknown }).value = value;
        else {
          // Conda entries go before the `- pip:` mapping, as conda's own files do.
          const pipIndex = seq.items.findIndex((item) => isMap(item));
          const node = document.createNode(value);
          if (pipIndex >= 0) seq.items.splice(pipIndex, 0, node);
          else seq.items.push(node);
        }
      } else if (index >= 0) seq.items.splice(index, 1);
      else
        throw new CondenseError('NOT_FOUND', `environment.yml has no dependency named "${target}"`);
    }
  }
  const text = document.toString();
  parseEnvironmentFile(text);
  return text;
}
