import type {
  BuildComparison,
  BuildEvents,
  BuildRecord,
  BuildStep,
  EngineInfo,
} from '../../../shared/api/build';
import { formatDuration } from '../../../shared/build/layers';
import { formatSize, formatSizeColumn } from '../../../shared/format/size';

/** Plain progress like `docker build --progress plain`: numbered steps, their output, DONE/CACHED. */
export class PlainProgress {
  private readonly numbers = new Map<string, number>();
  private readonly announced = new Set<string>();
  // BuildKit resends finished vertexes (FROM lines, the context); report each outcome once.
  private readonly finished = new Set<string>();

  constructor(private readonly write: (text: string) => void) {}

  private number(step: string): number {
    let n = this.numbers.get(step);
    if (n === undefined) this.numbers.set(step, (n = this.numbers.size + 1));
    return n;
  }

  event<K extends keyof BuildEvents>(kind: K, data: BuildEvents[K]): void {
    if (kind === 'step') this.step(data as BuildStep);
    else if (kind === 'log') {
      const line = data as BuildEvents['log'];
      this.write(`#${this.number(line.step)} ${line.text}`);
    } else if (kind === 'progress') this.write(`== ${(data as BuildEvents['progress']).message}`);
    else if (kind === 'smoke') {
      const { variant, result } = data as BuildEvents['smoke'];
      for (const check of result.checks) {
        this.write(
          `== smoke ${variant} ${check.kind}${check.kind === 'imports' && result.modules ? ` (${result.modules.join(', ')})` : ''}: ${check.passed ? 'passed' : `FAILED (exit ${check.exitCode})`}`,
        );
        if (!check.passed && check.output.trim()) this.write(indent(check.output.trimEnd()));
      }
    } else if (kind === 'service') {
      const { variant, result } = data as BuildEvents['service'];
      this.write(
        `== service ${variant}: ${result.passed ? 'passed' : 'FAILED'}: ${result.message}`,
      );
      if (!result.passed && result.logs) this.write(indent(result.logs));
    }
  }

  private step(step: BuildStep): void {
    if (!step.name) return;
    const n = this.number(step.id);
    const tag = step.variant ? ` (${step.variant})` : '';
    if (!this.announced.has(step.id)) {
      this.announced.add(step.id);
      this.write(`#${n} ${step.name}${tag}`);
    }
    if (this.finished.has(step.id) || (!step.error && !step.completed)) return;
    this.finished.add(step.id);
    if (step.error) this.write(`#${n} ERROR: ${step.error}`);
    else if (step.cached) this.write(`#${n} CACHED`);
    else if (step.completed && step.started) {
      const ms = Date.parse(step.completed) - Date.parse(step.started);
      this.write(`#${n} DONE ${(ms / 1000).toFixed(1)}s`);
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
}

export function engineLine(info: Pick<EngineInfo, 'host' | 'version' | 'architecture'>): string {
  return `engine ${info.version} (${info.architecture}) at ${info.host}`;
}

/** A text table with aligned columns; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = header.map((_, i) =>
    rows.every((r) => /^[-+\u2212]?[\d.]+( \w+)?$|^[-\u2013]$/.test(r[i] ?? '')),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The comparison as the CLI prints it: one row per variant, then rules that break smoke tests. */
export function comparisonText(comparison: BuildComparison, showLayers = false): string {
  const twoBuilds = new Set(comparison.rows.map((r) => r.buildId)).size > 1;
  // One unit per column, so sizes line up; ASCII minus for scripts reading the output.
  const sizes = formatSizeColumn(comparison.rows.map((r) => r.sizeBytes));
  const deltas = formatSizeColumn(
    comparison.rows.map((r) => r.sizeDeltaBytes),
    { signed: true, asciiMinus: true },
  );
  const out = [
    table(
      [
        ...(twoBuilds ? ['build'] : []),
        'variant',
        'state',
        'size',
        'vs first',
        'layers',
        'time',
        'cached',
        'smoke',
      ],
      comparison.rows.map((r, i) => [
        ...(twoBuilds ? [r.buildId] : []),
        r.variantId,
        r.imageRemoved ? `${r.state}, image removed` : r.state,
        sizes[i]!,
        deltas[i]!,
        String(r.layerCount),
        formatDuration(r.durationMs),
        `${r.cachedSteps}/${r.totalSteps}`,
        r.smoke,
      ]),
    ),
  ];
  for (const rule of comparison.breakingRules) {
    out.push(
      '',
      `rule ${rule.rule} ${rule.verdict === 'breaks' ? 'BREAKS' : 'may break'} the smoke test: ` +
        `${rule.failingVariant} fails, ${rule.passingVariant} (without it) passes`,
    );
    const last = rule.output.trim().split('\n').slice(-3).join('\n');
    if (last) out.push(indent(last));
  }
  if (showLayers) {
    // One unit for the whole layer table: rows compare across variants, columns down a variant.
    const cells = formatSizeColumn(comparison.layers.flatMap((l) => l.sizes));
    const width = comparison.rows.length;
    out.push(
      '',
      table(
        ['layer', ...comparison.rows.map((r) => r.variantId)],
        comparison.layers.map((l, row) => [
          l.createdBy.length > 60 ? `${l.createdBy.slice(0, 57)}...` : l.createdBy,
          ...cells.slice(row * width, row * width + l.sizes.length),
        ]),
      ),
    );
  }
  return out.join('\n');
}

export function buildSummaryText(record: BuildRecord): string {
  return `build ${record.id} ${record.state} in ${formatDuration(record.durationMs)} (${record.builder}, ${engineLine(record.engine)})`;
}

/**
 * The checks that guard the tags, per variant: the CMD program, the service answer with start-up time
 * and peak memory, beside size and bytecode setting so the trade is visible. Empty when none ran.
 */
export function checksText(record: BuildRecord): string {
  const rows = record.variants.filter((v) => v.command || v.service || v.serviceSkipped);
  if (rows.length === 0) return '';
  const sizes = formatSizeColumn(rows.map((v) => v.sizeBytes));
  const out = [
    table(
      ['variant', 'bytecode', 'size', 'command', 'service', 'start-up', 'peak memory'],
      rows.map((v, i) => [
        v.id,
        v.bytecode ?? '-',
        sizes[i]!,
        v.command ? (v.command.passed ? 'ok' : 'MISSING') : '-',
        v.service ? (v.service.passed ? 'passed' : 'FAILED') : v.serviceSkipped ? 'skipped' : '-',
        v.service?.startupMs !== undefined ? `${(v.service.startupMs / 1000).toFixed(2)} s` : '-',
        v.service?.peakMemoryBytes !== undefined
          ? formatSize(v.service.peakMemoryBytes, { asciiMinus: true })
          : '-',
      ]),
    ),
  ];
  for (const v of rows) {
    if (v.command && !v.command.passed) out.push(`${v.id}: ${v.command.message}`);
    if (v.service && !v.service.passed) {
      out.push(`${v.id}: ${v.service.message}`);
      if (v.service.logs) out.push(indent(v.service.logs.split('\n').slice(-10).join('\n')));
    }
    if (v.serviceSkipped) out.push(`${v.id}: service check skipped: ${v.serviceSkipped}`);
  }
  return out.join('\n');
}
