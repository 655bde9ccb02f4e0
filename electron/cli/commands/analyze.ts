import type { SavingsReport } from '../../../shared/api/recipe';
import { validate } from '../../../shared/api/validate';
import { formatSize, formatSizeColumn } from '../../../shared/format/size';
import { analyzeSavings } from '../../services/analysis/savings-analysis';
import { cacheDir } from '../../services/channels/channel-url';
import { loadRecipe } from '../../services/recipe/recipe-file';
import type { CliCommand } from '../command';
import { PRUNE_OPTIONS, pruneOptionsRecipe } from './recipe-options';

/** The per-rule table: every rule, whether the recipe applies it, its saving and owners. */
export function savingsTable(report: SavingsReport): string {
  // One unit for the savings column, so the rules compare at a glance.
  const saves = formatSizeColumn(report.rules.map((rule) => rule.bytes));
  const rows = report.rules.map((rule, i) => [
    rule.selected ? '*' : ' ',
    rule.ruleId,
    rule.risk,
    saves[i]!,
    String(rule.files),
    rule.owners
      .slice(0, 3)
      .map((o) => o.name)
      .join(', ') + (rule.owners.length > 3 ? `, +${rule.owners.length - 3}` : ''),
  ]);
  const header = [' ', 'rule', 'risk', 'saves', 'files', 'owned by'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const selected = report.selections.find((s) => s.id === 'recipe')!;
  const percent = report.environmentBytes
    ? ((100 * selected.bytes) / report.environmentBytes).toFixed(1)
    : '0.0';
  const out = [
    line(header),
    ...rows.map(line),
    '',
    `Environment: ${formatSize(report.environmentBytes)} in ${report.environmentFiles} files (${report.packages} packages, ${report.cachedPackages} from cache)`,
    ...(report.filesBytes !== undefined
      ? [`Files (files: in condense.yml): ${formatSize(report.filesBytes)}, copied on top`]
      : []),
    `Selected rules (*) remove ${formatSize(selected.bytes)} (${percent}%), ${selected.files} files, each counted once`,
    ...report.selections
      .filter((s) => s.id !== 'recipe')
      .map((s) => `Variant ${s.id}: removes ${formatSize(s.bytes)}, ${s.files} files`),
    ...report.warnings.map((w) => `Note: ${w}`),
  ];
  return out.join('\n');
}

/** `condense analyze`: what each prune rule would save, from the locked packages' file lists. */
export const analyzeCommand: CliCommand = {
  usage: 'analyze [--json] [--preset none|safe|expert] [--rule ID]... [--no-rule ID]...',
  options: { ...PRUNE_OPTIONS, json: { type: 'boolean' } },
  async run(context, values) {
    const saved = await loadRecipe(context.projectDir);
    const tried = pruneOptionsRecipe(saved, values);
    // The contract's schema, as the app's door applies it (recipe:analyze): a bad --preset or --rule
    // is refused naming the recipe field, before any package is read.
    const request = validate('recipe:analyze', {
      projectDir: context.projectDir,
      ...(tried.recipe ? { recipe: tried.recipe } : {}),
    });
    if (tried.note) context.progress(tried.note);
    const report = await analyzeSavings({
      projectDir: request.projectDir,
      recipe: request.recipe ?? saved,
      cacheRoot: cacheDir(),
      signal: context.signal,
      onProgress: (message) => context.progress(message),
    });
    context.out(values.json ? JSON.stringify(report, null, 2) : savingsTable(report));
    return 0;
  },
};
