import type { SavingsReport } from '../../../shared/api/recipe';
import type { PruneSettings } from '../../../shared/recipe/model';
import { enabledRuleIds, PYCACHE_RULE } from '../../../shared/recipe/prune-commands';
import { removedBy } from '../../../shared/recipe/space';

/** A custom glob of the variant being edited, with what the analysis measured it to remove. */
export interface CustomRuleRow {
  glob: string;
  /** `custom:<glob>`: the id savings, space and build verdicts use. */
  id: string;
  /** Undefined until the analysis has measured this glob. */
  savingBytes?: number;
  forced: boolean;
}

/** Custom globs sharing one reason (a trace writes several hundred, a dozen reasons). */
export interface CustomRuleGroup {
  reason: string;
  rules: CustomRuleRow[];
  /** The measured globs' bytes summed: a group's globs come from one trace and do not overlap. */
  savingBytes: number;
  /** Globs of the group not measured yet (their bytes are not in `savingBytes`). */
  unmeasured: number;
}

/**
 * The variant's custom globs: those with a reason grouped by it (in the order the reasons first
 * appear, which is the trace's largest group first), those without one listed alone as before.
 */
export function customRuleGroups(
  prune: PruneSettings,
  savings: SavingsReport | undefined,
): { single: CustomRuleRow[]; groups: CustomRuleGroup[] } {
  const measured = new Map((savings?.rules ?? []).map((r) => [r.ruleId, r.bytes]));
  const forced = new Set(prune.force ?? []);
  const reasons = prune.reasons ?? {};
  const single: CustomRuleRow[] = [];
  const byReason = new Map<string, CustomRuleRow[]>();
  for (const glob of prune.custom) {
    const id = `custom:${glob}`;
    const bytes = measured.get(id);
    const row: CustomRuleRow = {
      glob,
      id,
      forced: forced.has(glob),
      ...(bytes === undefined ? {} : { savingBytes: bytes }),
    };
    const reason = Object.hasOwn(reasons, glob) ? reasons[glob]?.trim() : undefined;
    if (!reason) single.push(row);
    else byReason.set(reason, [...(byReason.get(reason) ?? []), row]);
  }
  const groups = [...byReason.entries()].map(([reason, rules]) => ({
    reason,
    rules,
    savingBytes: rules.reduce((sum, r) => sum + (r.savingBytes ?? 0), 0),
    unmeasured: rules.filter((r) => r.savingBytes === undefined).length,
  }));
  return { single, groups };
}

/** What a variant's rules, catalog and custom together, remove from the environment. */
export interface VariantSaving {
  savedBytes: number;
  /**
   * False when rules may remove the same files and the figures at hand cannot tell how many:
   * `savedBytes` is then an upper bound.
   */
  exact: boolean;
  /** What the custom globs alone remove (each glob's own figure, summed). */
  customBytes: number;
  customGlobs: number;
  /** Custom globs the analysis has not measured (added since it ran): not in the figures. */
  unmeasuredGlobs: string[];
}

const sameIds = (a: string[], b: Set<string>) => a.length === b.size && a.every((id) => b.has(id));

/**
 * The bytes a prune setting removes. Exact when the analysis measured this very selection (each
 * file counted once, `SavingsReport.selections`); after a change the analysis has not seen, from
 * the folders of `space`: per folder, the rules remove at least the largest one's bytes and at most
 * their sum (capped at the folder): where only one rule bites in every folder the two agree and the
 * figure is still exact, otherwise it is the upper bound.
 */
export function variantSaving(
  prune: PruneSettings,
  savings: SavingsReport,
  selectionId: string,
): VariantSaving {
  const custom = prune.custom.map((glob) => `custom:${glob}`);
  const ids = new Set([...enabledRuleIds(prune), ...custom]);
  const measured = new Map(savings.rules.map((r) => [r.ruleId, r.bytes]));
  const customBytes = custom.reduce((sum, id) => sum + (measured.get(id) ?? 0), 0);
  const unmeasuredGlobs = prune.custom.filter((glob) => !measured.has(`custom:${glob}`));
  const base = { customBytes, customGlobs: custom.length, unmeasuredGlobs };
  const selection =
    savings.selections.find((s) => s.id === selectionId && sameIds(s.ruleIds, ids)) ??
    savings.selections.find((s) => sameIds(s.ruleIds, ids));
  if (selection) return { ...base, savedBytes: selection.bytes, exact: true };

  // `compile` writes the caches again after pruning: sized without the cache rule, as the service does.
  const sized = new Set(ids);
  if (prune.bytecode === 'compile') sized.delete(PYCACHE_RULE);
  if (savings.space?.length) {
    let low = 0;
    let high = 0;
    for (const pkg of savings.space) {
      for (const folder of pkg.folders) {
        if (folder.overlaps) {
          // Exact: the files several rules match are counted once.
          const bytes = removedBy(folder, sized);
          low += bytes;
          high += bytes;
          continue;
        }
        let largest = 0;
        let sum = 0;
        for (const [id, bytes] of Object.entries(folder.removed)) {
          if (!sized.has(id)) continue;
          largest = Math.max(largest, bytes);
          sum += bytes;
        }
        low += largest;
        high += Math.min(sum, folder.bytes);
      }
    }
    return { ...base, savedBytes: high, exact: low === high };
  }
  const bytes = [...sized].map((id) => measured.get(id) ?? 0);
  const sum = bytes.reduce((a, b) => a + b, 0);
  const high = Math.min(sum, savings.environmentBytes);
  return { ...base, savedBytes: high, exact: high === Math.max(0, ...bytes) };
}
