import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';

import { CondenseError } from '../api/errors';
import { normalizePipName, parseRequirement } from './requirement';

type Range = [number, number, number];
const rangeOf = (node: Node) => node.range as Range;
const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const nextLine = (text: string, offset: number) => {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end + 1;
};
const scalar = (value: string) => stringify(value, { lineWidth: 0 }).trimEnd();

function pipList(text: string) {
  const document = parseDocument(text);
  const deps = document.get('dependencies', true);
  const seq = isSeq(deps) ? deps : undefined;
  const holder = seq?.items.find((item) => isMap(item) && item.has('pip')) as YAMLMap | undefined;
  const list = holder?.get('pip', true);
  return { seq, holder, list: isSeq(list) ? (list as YAMLSeq) : undefined };
}

function indexOf(list: YAMLSeq | undefined, target: string): number {
  return (list?.items ?? []).findIndex((item) => {
    if (!isScalar(item) || typeof item.value !== 'string' || item.value.trim().startsWith('-'))
      return false;
    try {
      return parseRequirement(item.value).normalized === target;
    } catch {
      return false;
    }
  });
}

/**
 * Adds or replaces one requirement of environment.yml's `- pip:` list, changing only that line (or
 * adding one after the list's last line, or a `- pip:` entry after the last dependency).
 */
export function setPipRequirement(text: string, requirement: string): string {
  const parsed = parseRequirement(requirement);
  const { seq, list } = pipList(text);
  const index = indexOf(list, parsed.normalized);
  if (list && index >= 0) {
    const [start, end] = rangeOf(list.items[index] as Node);
    return `${text.slice(0, start)}${scalar(parsed.raw)}${text.slice(end)}`;
  }
  if (list && list.items.length > 0) {
    const last = list.items[list.items.length - 1] as Node;
    const [start, end] = rangeOf(last);
    const prefix = text.slice(lineStart(text, start), start);
    const at = nextLine(text, end);
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : '\n'}${prefix.replace(/[^\s-]/g, ' ')}${scalar(parsed.raw)}\n${text.slice(at)}`;
  }
  if (seq && seq.items.length > 0 && !list) {
    const last = seq.items[seq.items.length - 1] as Node;
    const [start, end] = rangeOf(last);
    const prefix = text.slice(lineStart(text, start), start);
    const indent = prefix.replace(/-\s*$/, '');
    const at = nextLine(text, end);
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : '\n'}${indent}- pip:\n${indent}    - ${scalar(parsed.raw)}\n${text.slice(at)}`;
  }
  throw new CondenseError(
    'INVALID_INPUT',
    'environment.yml has no dependencies list to add a pip requirement to: add "- python" first',
  );
}

/** Removes one requirement's line; the `- pip:` entry goes with its last requirement. */
export function removePipRequirement(text: string, name: string): string {
  const target = normalizePipName(name);
  const { seq, holder, list } = pipList(text);
  const index = indexOf(list, target);
  if (!list || index < 0)
    throw new CondenseError(
      'NOT_FOUND',
      `environment.yml has no pip requirement named "${target}"`,
    );
  const only = list.items.length === 1;
  // An empty `- pip: []` would make conda run pip for nothing: drop the whole entry.
  const node = (only && holder && seq ? holder : list.items[index]) as Node;
  const [start, end] = rangeOf(node);
  const from = lineStart(text, only ? text.lastIndexOf('-', start) : start);
  return text.slice(0, from) + text.slice(nextLine(text, Math.max(end - 1, start)));
}
