import { PRUNE_RULES } from '../../shared/recipe/catalog';
import type { ImageFile } from '../../shared/recipe/model';
import type { ResolvedRule } from '../../shared/recipe/prune-commands';
import { resolvePrune } from '../../shared/recipe/prune-commands';
import type { PackageFileList } from '../../shared/recipe/savings';
import type { ImageEntry, TraceAnalysisInput } from '../../shared/trace/model';

/**
 * Synthetic traced images for the trace analysis tests: files by absolute path (a size, or `-> target`
 * for a symlink), parent folders added, packages given as prefix-relative paths of those files.
 */
export type ImageSpec = Record<string, number | `-> ${string}`>;

export function imageEntries(spec: ImageSpec): ImageEntry[] {
  const entries = new Map<string, ImageEntry>();
  for (const [path, what] of Object.entries(spec)) {
    const parts = path.split('/');
    for (let i = 2; i < parts.length; i += 1) {
      const dir = parts.slice(0, i).join('/');
      entries.set(dir, { path: dir, type: 'dir', size: 0 });
    }
    entries.set(
      path,
      typeof what === 'number'
        ? { path, type: 'file', size: what }
        : { path, type: 'symlink', size: 0, target: what.slice(3) },
    );
  }
  return [...entries.values()];
}

/** Every catalog rule for linux-64, as the trace service passes them. */
export function catalogRules(): ResolvedRule[] {
  return resolvePrune(
    { preset: 'none', add: PRUNE_RULES.map((r) => r.id), remove: [], custom: [] },
    'linux-64',
  );
}

/** A package owning the given prefix-relative paths, with their sizes and types taken from the image. */
export function packageOf(
  name: string,
  spec: ImageSpec,
  paths: string[],
  prefix = '/env',
): PackageFileList {
  return {
    name,
    version: '1.0',
    build: '0',
    files: paths.map((path) => {
      const what = spec[`${prefix}/${path}`];
      if (what === undefined) throw new Error(`${path} is not in the image`);
      return typeof what === 'number'
        ? { path, size: what, type: 'file' as const }
        : { path, size: 0, type: 'symlink' as const };
    }),
  };
}

export interface TraceInputOptions {
  used: string[];
  packages?: PackageFileList[];
  files?: ImageFile[];
  keep?: string[];
  rules?: ResolvedRule[];
}

export function traceInput(spec: ImageSpec, options: TraceInputOptions): TraceAnalysisInput {
  return {
    variant: 'safe',
    prefix: '/env',
    entries: imageEntries(spec),
    used: new Set(options.used),
    packages: options.packages ?? [],
    files: options.files ?? [],
    rules: options.rules ?? catalogRules(),
    keep: options.keep ?? [],
    probes: [],
  };
}

/** mulberry32: a small seeded generator of numbers in [0, 1), so a failing seed replays. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher-Yates shuffle. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
