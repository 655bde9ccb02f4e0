import type { Document, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq, YAMLSeq } from 'yaml';

import { CondenseError } from '../api/errors';
import { normalizePipName, parseRequirement } from './requirement';

/**
 * Adds, replaces or removes one line of the `- pip:` list in environment.yml's dependencies, keeping
 * comments and the other lines. Index lines (`--index-url`) are left as they are.
 */
export function editPipSection(
  document: Document,
  edit: { setPipRequirement?: string; removePipRequirement?: string },
): void {
  let deps = document.get('dependencies', true);
  if (!isSeq(deps)) {
    deps = new YAMLSeq();
    document.set('dependencies', deps);
  }
  const seq = deps as YAMLSeq;
  let holder = seq.items.find((item) => isMap(item) && item.has('pip')) as YAMLMap | undefined;
  let list: unknown = holder?.get('pip', true);
  const target =
    edit.setPipRequirement !== undefined
      ? parseRequirement(edit.setPipRequirement).normalized
      : normalizePipName(edit.removePipRequirement ?? '');
  const index = isSeq(list)
    ? list.items.findIndex((item) => {
        if (!isScalar(item) || typeof item.value !== 'string' || item.value.trim().startsWith('-'))
          return false;
        try {
          return parseRequirement(item.value).normalized === target;
        } catch {
          return false;
        }
      })
    : -1;
  if (edit.setPipRequirement !== undefined) {
    const line = parseRequirement(edit.setPipRequirement).raw;
    if (!isSeq(list)) {
      holder ??= document.createNode({}) as YAMLMap;
      if (!seq.items.includes(holder)) seq.items.push(holder);
      const created = new YAMLSeq();
      holder.set('pip', created);
      list = created;
    }
    const items = (list as YAMLSeq).items;
    if (index >= 0) (items[index] as { value: unknown }).value = line;
    else items.push(document.createNode(line));
    return;
  }
  if (index < 0 || !isSeq(list))
    throw new CondenseError(
      'NOT_FOUND',
      `environment.yml has no pip requirement named "${target}"`,
    );
  list.items.splice(index, 1);
  // An empty `- pip: []` would make conda run pip for nothing: drop the entry.
  if (list.items.length === 0 && holder) seq.items.splice(seq.items.indexOf(holder), 1);
}
