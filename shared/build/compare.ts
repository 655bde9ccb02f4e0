import type {
  BreakingRule,
  BuildComparison,
  BuildRecord,
  ComparisonRow,
  VariantResult,
} from '../api/build';

/**
 * Compares variants: the rows are the given (build, variant) pairs, the first row the baseline. Layers
 * are matched by instruction text and position, so a prune layer shows up next to its counterpart.
 */
export function compareVariants(
  entries: { buildId: string; variant: VariantResult; imageRemoved?: boolean }[],
): BuildComparison {
  const baseline = entries[0]?.variant.sizeBytes;
  const rows: ComparisonRow[] = entries.map(({ buildId, variant, imageRemoved }) => {
    const row: ComparisonRow = {
      buildId,
      variantId: variant.id,
      state: variant.state,
      layerCount: variant.layers.length,
      durationMs: variant.durationMs,
      cachedSteps: variant.cachedSteps,
      totalSteps: variant.totalSteps,
      smoke: !variant.smoke ? 'not run' : variant.smoke.passed ? 'passed' : 'failed',
      ...(imageRemoved ? { imageRemoved: true } : {}),
    };
    if (variant.sizeBytes !== undefined) {
      row.sizeBytes = variant.sizeBytes;
      if (baseline !== undefined) row.sizeDeltaBytes = variant.sizeBytes - baseline;
    }
    return row;
  });
  const keys: string[] = [];
  const sizes = new Map<string, (number | undefined)[]>();
  entries.forEach(({ variant }, column) => {
    const seen = new Map<string, number>();
    for (const layer of variant.layers) {
      // The same instruction twice in one image (two COPYs of one file) stays two rows.
      const n = (seen.get(layer.createdBy) ?? 0) + 1;
      seen.set(layer.createdBy, n);
      const key = `${n}\u0000${layer.createdBy}`;
      if (!sizes.has(key)) {
        keys.push(key);
        sizes.set(key, new Array<number | undefined>(entries.length).fill(undefined));
      }
      sizes.get(key)![column] = layer.sizeBytes;
    }
  });
  return {
    rows,
    layers: keys.map((key) => ({ createdBy: key.split('\u0000')[1]!, sizes: sizes.get(key)! })),
    breakingRules: breakingRules(entries.map((e) => e.variant)),
  };
}

/** Compares the variants of one build, or (with `other`) the variants of two builds side by side. */
export function compareBuilds(first: BuildRecord, other?: BuildRecord): BuildComparison {
  // Builds whose images retention removed still compare by their recorded sizes, marked as such.
  const of = (record: BuildRecord) =>
    record.variants.map((variant) => ({
      buildId: record.id,
      variant,
      ...(record.imagesRemoved ? { imageRemoved: true } : {}),
    }));
  const entries = of(first);
  if (other) entries.push(...of(other));
  return compareVariants(entries);
}

/**
 * Which prune rule breaks a smoke test: for a failing variant F and a passing variant P whose rules are a
 * subset of F's, the rules F adds are to blame; with a single difference the verdict is certain.
 */
export function breakingRules(variants: VariantResult[]): BreakingRule[] {
  const passing = variants.filter((v) => v.state === 'succeeded' && v.smoke?.passed === true);
  const failing = variants.filter((v) => v.state === 'succeeded' && v.smoke?.passed === false);
  const verdicts = new Map<string, BreakingRule>();
  for (const bad of failing) {
    const candidates = passing
      .filter((good) => good.rules.every((r) => bad.rules.includes(r)))
      .map((good) => ({ good, extra: bad.rules.filter((r) => !good.rules.includes(r)) }))
      .filter((c) => c.extra.length > 0)
      .sort((a, b) => a.extra.length - b.extra.length);
    const closest = candidates[0];
    if (!closest) continue;
    const output = bad.smoke?.checks.find((c) => !c.passed)?.output ?? '';
    for (const rule of closest.extra) {
      const verdict: BreakingRule = {
        rule,
        verdict: closest.extra.length === 1 ? 'breaks' : 'suspect',
        failingVariant: bad.id,
        passingVariant: closest.good.id,
        output,
      };
      const known = verdicts.get(rule);
      if (!known || (known.verdict === 'suspect' && verdict.verdict === 'breaks')) {
        verdicts.set(rule, verdict);
      }
    }
  }
  return [...verdicts.values()];
}
