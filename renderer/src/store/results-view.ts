import type { SavingsReport } from '../../../shared/api/recipe';
import type { ComparisonEntry } from './selectors';

/** One build on the Results screen: its variants, under one heading. */
export interface BuildGroup {
  buildId: string;
  /** `This build (running)` or the date and time it started. */
  title: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  live: boolean;
  imagesRemoved: boolean;
  entries: ComparisonEntry[];
}

/** Baseline choice: `auto` is the unpruned variant of each row's own build; else an entry key. */
export type BaselineChoice = string;

/**
 * The comparison grouped by build in the order given (latest first). A build whose every variant
 * failed or was cancelled, or that ended so, goes to `folded`: it has no image to compare.
 */
export function groupByBuild(
  entries: ComparisonEntry[],
  builds: Map<string, { startedAt: string; state: BuildGroup['state']; imagesRemoved?: boolean }>,
  liveState?: BuildGroup['state'],
): { shown: BuildGroup[]; folded: BuildGroup[] } {
  const groups: BuildGroup[] = [];
  for (const entry of entries) {
    let group = groups.find((g) => g.buildId === entry.buildId);
    if (!group) {
      const build = builds.get(entry.buildId);
      group = {
        buildId: entry.buildId,
        title: entry.live
          ? liveState === 'running'
            ? 'This build (running)'
            : 'This build'
          : `Build of ${stamp(build?.startedAt ?? '')}`,
        state: entry.live ? (liveState ?? 'running') : (build?.state ?? 'succeeded'),
        live: entry.live,
        imagesRemoved: build?.imagesRemoved === true,
        entries: [],
      };
      groups.push(group);
    }
    group.entries.push(entry);
  }
  const hasImage = (g: BuildGroup) => g.entries.some((e) => e.result.state === 'succeeded');
  return {
    shown: groups.filter((g) => g.live || hasImage(g)),
    folded: groups.filter((g) => !g.live && !hasImage(g)),
  };
}

function stamp(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** The entry an entry is compared with; undefined when it is its own baseline or none exists. */
export function baselineOf(
  entry: ComparisonEntry,
  group: BuildGroup,
  choice: BaselineChoice,
  all: ComparisonEntry[],
): ComparisonEntry | undefined {
  const built = (e: ComparisonEntry) => e.result.state === 'succeeded';
  let base: ComparisonEntry | undefined;
  if (choice === 'auto') {
    // The variant with the fewest prune rules: the unpruned one when the build has it.
    base = group.entries
      .filter(built)
      .reduce<ComparisonEntry | undefined>(
        (best, e) => (!best || e.result.rules.length < best.result.rules.length ? e : best),
        undefined,
      );
  } else {
    base = all.find((e) => e.key === choice && built(e));
  }
  return base && base.key !== entry.key ? base : undefined;
}

/** The baseline's name as the delta column's heading says it. */
export function baselineLabel(choice: BaselineChoice, all: ComparisonEntry[]): string {
  if (choice === 'auto') return 'unpruned variant of the same build';
  const entry = all.find((e) => e.key === choice);
  return entry ? entry.label : 'unpruned variant of the same build';
}

/** The image layer that holds the environment: `COPY [--from=<stage>] <prefix> <prefix>`. */
export function environmentLayerBytes(
  layers: { instruction: string; bytes: number }[],
  prefix = '/env',
): number | undefined {
  const copies = layers.filter((l) =>
    // BuildKit's history drops `--from=<stage>`: `COPY /env /env`.
    new RegExp(`^COPY (?:--\\S+ )*${prefix}/? ${prefix}/?$`).test(l.instruction.trim()),
  );
  if (copies.length === 0) return undefined;
  return copies.reduce((sum, l) => sum + l.bytes, 0);
}

/**
 * The environment size the Image screen estimated for these rules on the current lock: the
 * variant's own selection when its rules match, else the rules' savings summed (capped, since two
 * rules can match the same file).
 */
export function estimatedBytes(
  savings: SavingsReport | undefined,
  variant: string,
  rules: string[],
): number | undefined {
  if (!savings) return undefined;
  const same = (a: string[], b: string[]) =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  const selection =
    savings.selections.find((s) => s.id === variant && same(s.ruleIds, rules)) ??
    savings.selections.find((s) => same(s.ruleIds, rules));
  if (selection) return savings.environmentBytes - selection.bytes;
  const measured = new Map(savings.rules.map((r) => [r.ruleId, r.bytes]));
  if (rules.some((r) => !measured.has(r))) return undefined;
  const saved = rules.reduce((sum, r) => sum + (measured.get(r) ?? 0), 0);
  return savings.environmentBytes - Math.min(saved, savings.environmentBytes);
}
