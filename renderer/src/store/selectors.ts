import type { BreakingRule, BuildRecord } from '../../../shared/api/build';
import type { LockedPackage } from '../../../shared/api/lock';
import { breakingRules } from '../../../shared/build/compare';
import type { PackageReason } from '../../../shared/conda/why';
import { packageReasons } from '../../../shared/conda/why';
import type { RiskLevel } from '../../../shared/recipe/catalog';
import { PRUNE_RULES, ruleTitle } from '../../../shared/recipe/catalog';
import type { VariantView } from './build-view';
import { toVariantView } from './build-view';
import { customRuleGroups, type VariantSaving, variantSaving } from './prune-view';
import { enabledRuleIds, presetOf, pruneOf, variantIds } from './recipe-helpers';
import type { AppState, JobView, Screen } from './types';

type S = Pick<AppState, keyof AppState>;

export const projectSelectors = {
  hasProject: (s: Pick<S, 'project'>) => s.project !== undefined,
  /** Screens other than Projects need an open project. */
  screenEnabled: (s: Pick<S, 'project'>, screen: Screen) =>
    screen === 'projects' || s.project !== undefined,
};

export const environmentSelectors = {
  /** Names already in environment.yml, to mark search results as added. */
  dependencyNames: (s: Pick<S, 'environment'>) =>
    new Set((s.environment?.dependencies ?? []).map((d) => d.name)),
  /** Dependencies other than python, which has its own field. */
  packages: (s: Pick<S, 'environment'>) =>
    (s.environment?.dependencies ?? []).filter((d) => d.name !== 'python'),
  /** Python's version as the field shows it: `3.11` for conda's `3.11.*` (what `python=3.11` means). */
  python: (s: Pick<S, 'environment'>) => {
    const version = s.environment?.dependencies.find((d) => d.name === 'python')?.version ?? '';
    return /^\d+(\.\d+)*\.\*$/.test(version) ? version.slice(0, -2) : version;
  },
};

/** `https://host/conda-forge/linux-64/numpy-...conda` -> `conda-forge` (the part before the subdir). */
export function channelOf(url: string): string {
  const parts = url.split('/');
  return parts.length >= 3 ? (parts[parts.length - 3] ?? url) : url;
}

export const lockSelectors = {
  lockJob: (s: Pick<S, 'lockJobId' | 'jobs'>): JobView | undefined =>
    s.lockJobId ? s.jobs[s.lockJobId] : undefined,
  isLocking: (s: Pick<S, 'lockJobId' | 'jobs'>) => lockSelectors.lockJob(s)?.state === 'running',
  /** Conda packages sorted by name then platform, filtered by a case-insensitive substring. */
  packages: (s: Pick<S, 'lockPackages'>, filter = ''): LockedPackage[] => {
    const needle = filter.trim().toLowerCase();
    return s.lockPackages
      .filter((p) => !needle || p.name.toLowerCase().includes(needle))
      .sort((a, b) => a.name.localeCompare(b.name) || a.platform.localeCompare(b.platform));
  },
  totalSize: (s: Pick<S, 'lockPackages'>) =>
    s.lockPackages.reduce((sum, p) => sum + (p.size ?? 0), 0),
  platforms: (s: Pick<S, 'lockPackages'>) => [...new Set(s.lockPackages.map((p) => p.platform))],
  /** Installed bytes per package name, from the savings analysis (undefined before it ran). */
  installedSizes: (s: Pick<S, 'savings'>): Map<string, number> | undefined =>
    s.savings?.space ? new Map(s.savings.space.map((p) => [p.name, p.installedBytes])) : undefined,
  /** Requested or pulled in, and the dependency path, per `platform/name`. */
  reasons: (s: Pick<S, 'lockPackages' | 'environment'>): Map<string, PackageReason> => {
    const requested = (s.environment?.dependencies ?? []).map((d) => d.name);
    const out = new Map<string, PackageReason>();
    for (const platform of lockSelectors.platforms(s)) {
      const conda = s.lockPackages.filter((p) => p.platform === platform && p.manager === 'conda');
      for (const [name, reason] of packageReasons(conda, requested)) {
        out.set(`${platform}/${name}`, reason);
      }
    }
    return out;
  },
};

/** One row of the prune list: the catalog rule with its saving on this environment. */
export interface RuleRow {
  id: string;
  title: string;
  risk: RiskLevel;
  mayBreak: string;
  enabled: boolean;
  /** Undefined before the first lock (no file lists to measure). */
  savingBytes?: number;
  owners: string[];
}

export interface SizeEstimate extends VariantSaving {
  environmentBytes: number;
  remainingBytes: number;
}

type RecipeState = Pick<S, 'recipe' | 'editingVariant' | 'savings'>;

export const recipeSelectors = {
  variantIds: (s: Pick<S, 'recipe'>) => (s.recipe ? variantIds(s.recipe) : []),
  editingVariant: (s: Pick<S, 'recipe' | 'editingVariant'>) => {
    const ids = recipeSelectors.variantIds(s);
    return ids.includes(s.editingVariant ?? '') ? s.editingVariant : ids[0];
  },
  enabledRules: (s: Pick<S, 'recipe' | 'editingVariant'>) =>
    s.recipe ? enabledRuleIds(pruneOf(s.recipe, s.editingVariant)) : new Set<string>(),
  /** Ids of every rule the variant applies: catalog rules and `custom:<glob>` for its globs. */
  removingRules: (s: Pick<S, 'recipe' | 'editingVariant'>) => {
    const ids = recipeSelectors.enabledRules(s);
    for (const glob of s.recipe ? pruneOf(s.recipe, s.editingVariant).custom : [])
      ids.add(`custom:${glob}`);
    return ids;
  },
  rules: (s: RecipeState): RuleRow[] => {
    const on = recipeSelectors.enabledRules(s);
    const platform = s.recipe?.platform ?? 'linux-64';
    const measured = new Map((s.savings?.rules ?? []).map((r) => [r.ruleId, r]));
    return PRUNE_RULES.map((rule) => {
      const saving = measured.get(rule.id);
      const row: RuleRow = {
        id: rule.id,
        title: ruleTitle(rule, platform),
        risk: rule.risk,
        mayBreak: rule.mayBreak,
        enabled: on.has(rule.id),
        owners: (saving?.owners ?? []).map((o) => o.name),
      };
      if (saving) row.savingBytes = saving.bytes;
      return row;
    });
  },
  /**
   * The environment's size with the variant's rules applied, catalog rules and custom globs, before
   * any build (`variantSaving`: exact when the analysis measured this selection or the rules never
   * share a folder, else `exact: false` and the saving is an upper bound).
   */
  sizeEstimate: (s: RecipeState): SizeEstimate | undefined => {
    if (!s.savings || !s.recipe) return undefined;
    const variant = recipeSelectors.editingVariant(s);
    const saving = variantSaving(
      pruneOf(s.recipe, variant),
      s.savings,
      s.recipe.variants.length ? (variant ?? '') : 'recipe',
    );
    const environmentBytes = s.savings.environmentBytes;
    const savedBytes = Math.min(environmentBytes, saving.savedBytes);
    // `files:` entries ship on top of the environment: counted in both totals, never pruned.
    const filesBytes = s.savings.filesBytes ?? 0;
    return {
      ...saving,
      environmentBytes: environmentBytes + filesBytes,
      savedBytes,
      remainingBytes: environmentBytes + filesBytes - savedBytes,
    };
  },
  /** The custom globs of the variant being edited, grouped by their reasons. */
  customRules: (s: RecipeState) =>
    customRuleGroups(
      s.recipe
        ? pruneOf(s.recipe, s.editingVariant)
        : { preset: 'none', add: [], remove: [], custom: [] },
      s.savings,
    ),
  /** The preset applied without changes, if any. */
  activePreset: (s: Pick<S, 'recipe' | 'editingVariant'>) =>
    s.recipe ? presetOf(pruneOf(s.recipe, s.editingVariant)) : undefined,
};

/**
 * Rules that remove a program a package provides, with the package: when environment.yml asks for
 * that package, removing its program is likely not what the user wants. The package names are the
 * fallback before the analysis has measured who owns the files.
 */
const PROGRAM_RULES: Record<string, { program: string; packages: string[] }> = {
  pip: { program: 'pip', packages: ['pip'] },
  'sqlite3-cli': { program: 'the sqlite3 shell', packages: ['sqlite', 'libsqlite'] },
  'openssl-cli': { program: 'the openssl tool', packages: ['openssl'] },
  'conda-linker': { program: 'the linker (ld)', packages: ['ld_impl_linux-64', 'binutils'] },
};

export interface RequestedRemoval {
  ruleId: string;
  program: string;
  /** The requested package that provides it. */
  requested: string;
}

export const programSelectors = {
  /** Enabled rules that remove a program of a package environment.yml asks for. */
  requestedRemovals: (
    s: Pick<S, 'recipe' | 'editingVariant' | 'savings' | 'environment'>,
  ): RequestedRemoval[] => {
    const on = recipeSelectors.enabledRules(s);
    const requested = new Set((s.environment?.dependencies ?? []).map((d) => d.name.toLowerCase()));
    const owners = new Map(
      (s.savings?.rules ?? []).map((r) => [r.ruleId, r.owners.map((o) => o.name)]),
    );
    const out: RequestedRemoval[] = [];
    for (const [ruleId, { program, packages }] of Object.entries(PROGRAM_RULES)) {
      if (!on.has(ruleId)) continue;
      const measured = owners.get(ruleId);
      const providers = measured ?? packages;
      const hit = providers.find((p) => requested.has(p.toLowerCase()));
      if (hit) out.push({ ruleId, program, requested: hit });
    }
    return out;
  },
};

/** One column of the comparison: a variant of the running build or of a past one. */
export interface ComparisonEntry {
  key: string;
  label: string;
  buildId: string;
  live: boolean;
  result: VariantView;
}

function stamp(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

export const buildSelectors = {
  buildJob: (s: Pick<S, 'buildJobId' | 'jobs'>): JobView | undefined =>
    s.buildJobId ? s.jobs[s.buildJobId] : undefined,
  isBuilding: (s: Pick<S, 'buildJobId' | 'jobs'>) =>
    buildSelectors.buildJob(s)?.state === 'running',
  /**
   * Variants of the live build first (they fill in as each finishes), then past builds newest first.
   * Variants that failed have no image: they are listed in the table but not charted (see `charted`).
   */
  comparison: (
    s: Pick<S, 'buildJobId' | 'jobs' | 'history' | 'syncedBuildJobs'>,
  ): ComparisonEntry[] => {
    const job = buildSelectors.buildJob(s);
    // Once the history holds the finished build, it is shown from there (with its date) only.
    const live = job && !s.syncedBuildJobs.includes(job.jobId) ? job : undefined;
    const entries: ComparisonEntry[] = [];
    const liveImages = new Set<string>();
    for (const result of live?.variants ?? []) {
      if (result.imageId) liveImages.add(result.imageId);
      entries.push({
        key: `live:${result.id}`,
        label: `${result.id} (this build)`,
        buildId: 'live',
        live: true,
        result: toVariantView(result, live?.state === 'running'),
      });
    }
    const past = [...s.history].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    for (const build of past) {
      for (const result of build.variants) {
        if (result.imageId && liveImages.has(result.imageId)) continue;
        entries.push({
          key: `${build.id}:${result.id}`,
          // The sizes stay in the history after retention removed the image; say it is gone.
          label: `${result.id} (${stamp(build.startedAt)}${build.imagesRemoved ? ', image removed' : ''})`,
          buildId: build.id,
          live: false,
          result: toVariantView(result),
        });
      }
    }
    return entries;
  },
  /** Entries with an image to chart. */
  charted: (entries: ComparisonEntry[]) => entries.filter((e) => e.result.state === 'succeeded'),
  /** Builds that produced at least one image, newest first, for the export dialog. */
  exportable: (s: Pick<S, 'history'>): BuildRecord[] =>
    [...s.history]
      .filter((b) => b.variants.some((v) => v.state === 'succeeded'))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt)),
  /**
   * Prune rules that broke a smoke test in the newest build, by rule id (`breakingRules` compares its
   * variants: a failing one against a passing one with fewer rules).
   */
  breakingRules: (s: Pick<S, 'history'>): Map<string, BreakingRule & { buildId: string }> => {
    const latest = [...s.history].sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    const byRule = new Map<string, BreakingRule & { buildId: string }>();
    for (const verdict of latest ? breakingRules(latest.variants) : []) {
      byRule.set(verdict.rule, { ...verdict, buildId: latest!.id });
    }
    return byRule;
  },
  /** Largest total among entries: the scale shared by every chart on the screen. */
  scale: (entries: ComparisonEntry[]) => Math.max(1, ...entries.map((e) => e.result.totalBytes)),
};
