import type { PruneRule, PruneSelector } from './catalog';
import { PRUNE_PRESETS, PRUNE_RULES, resolveSelector, ruleTitle } from './catalog';
import type { PruneSettings, RecipePlatform } from './model';
import { assertSafePath, shellQuote } from './quote';
import { customGlobProblem } from './validate';

/** The catalog rule removing `__pycache__` folders and `.pyc` files. */
export const PYCACHE_RULE = 'pycache';

/** A rule ready to apply: catalog rules with `{arch}` filled in, and the user's custom globs. */
export interface ResolvedRule {
  id: string;
  title: string;
  risk: PruneRule['risk'] | 'custom';
  selector: PruneSelector;
}

/** The ids of the catalog rules a prune setting switches on (custom globs not included). */
export function enabledRuleIds(settings: PruneSettings): Set<string> {
  const on = new Set([...PRUNE_PRESETS[settings.preset], ...settings.add]);
  for (const id of settings.remove) on.delete(id);
  // The bytecode setting wins over the rules: `keep` never prunes caches, `drop` and `compile` do
  // (`compile` then writes fresh ones after pruning, see `bytecodeLines`).
  if (settings.bytecode === 'keep') on.delete(PYCACHE_RULE);
  else if (settings.bytecode) on.add(PYCACHE_RULE);
  return on;
}

/** The rules a prune setting switches on, in catalog order, custom globs last. */
export function resolvePrune(settings: PruneSettings, platform: RecipePlatform): ResolvedRule[] {
  const on = enabledRuleIds(settings);
  const rules: ResolvedRule[] = PRUNE_RULES.filter((rule) => on.has(rule.id)).map((rule) => ({
    id: rule.id,
    title: ruleTitle(rule, platform),
    risk: rule.risk,
    selector: resolveSelector(rule, platform),
  }));
  for (const glob of settings.custom) {
    const problem = customGlobProblem(glob, settings.force?.includes(glob) === true);
    if (problem) throw new Error(`custom prune glob "${glob}" ${problem}`);
    rules.push({
      id: `custom:${glob}`,
      title: `Custom: ${glob}`,
      risk: 'custom',
      selector: { kind: 'paths', paths: [glob] },
    });
  }
  return rules;
}

/**
 * The shell command of one rule, always scoped to the prefix (the article's `find` without a path
 * searched the whole builder from /). Globs stay unquoted so the shell expands them; they are made of
 * safe characters only (validated), and `rm -rf` ignores globs that match nothing.
 */
export function pruneCommand(selector: PruneSelector, prefix: string): string {
  const root = assertSafePath(prefix, 'prefix');
  if (selector.kind === 'paths') {
    const paths = selector.paths.map((p) => `${root}/${assertSafePath(p, 'prune path', true)}`);
    return `rm -rf ${paths.join(' ')}`;
  }
  const parts = ['find', root];
  if (selector.within) parts.push('-path', shellQuote(`${root}/${selector.within}`));
  parts.push('-type', selector.type, '-name', shellQuote(selector.name));
  if (selector.notName) parts.push('!', '-name', shellQuote(selector.notName));
  // -prune: do not descend into a directory that is being deleted.
  parts.push(
    ...(selector.type === 'd' ? ['-prune', '-exec', 'rm', '-rf', "'{}'", '+'] : ['-delete']),
  );
  return parts.join(' ');
}
