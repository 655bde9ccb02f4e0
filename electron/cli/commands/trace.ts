import type { TraceRecord } from '../../../shared/api/trace';
import { validate } from '../../../shared/api/validate';
import { formatSize } from '../../../shared/format/size';
import type { TraceReport } from '../../../shared/trace/model';
import { cacheDir } from '../../services/channels/channel-url';
import { connectEngine } from '../../services/docker/engine';
import { traceProject } from '../../services/trace/trace-service';
import type { CliCommand } from '../command';
import {
  CHECK_OPTIONS,
  CHECK_USAGE,
  list,
  networkFlag,
  parseCheck,
  smokeFlags,
} from './check-flags';

const size = (bytes: number) => formatSize(bytes, { asciiMinus: true });
const percent = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((part / whole) * 100)}%` : '-';

/** The report as people read it: the limit, then where the unused bytes are. */
export function traceReportText(record: TraceRecord): string {
  const r: TraceReport = record.report;
  const lines = [
    `Variant ${r.variant}: ships ${size(r.shippedBytes)}; its checks used ${size(r.usedBytes)} besides the runtime base (${size(r.baseBytes)}).`,
    `Limit: ${size(r.limitBytes)} (${percent(r.limitBytes, r.shippedBytes)} of what it ships).`,
    '',
    'What ran under the tracer:',
    ...r.probes.map((p) => `  ${p.passed ? 'ok  ' : 'FAIL'} ${p.label}: ${p.message}`),
    '',
    'Largest packages (used / shipped):',
    ...r.packages
      .slice(0, 15)
      .map(
        (p) =>
          `  ${p.name.padEnd(32)} ${size(p.usedBytes).padStart(10)} / ${size(p.shippedBytes).padStart(10)}`,
      ),
  ];
  const risky = r.rules.filter((rule) => rule.usedBytes > 0);
  if (risky.length > 0) {
    lines.push('', 'Rules that would remove files the checks used:');
    for (const rule of risky)
      lines.push(
        `  ${rule.id}: ${size(rule.usedBytes)} used (${rule.usedExamples.slice(0, 2).join(', ')})`,
      );
  }
  if (r.largestUnused.length > 0) {
    lines.push('', 'Largest unused files:');
    for (const file of r.largestUnused.slice(0, 10))
      lines.push(`  ${size(file.bytes).padStart(10)}  ${file.path}  (${file.package})`);
  }
  if (record.suggestion) {
    lines.push(
      '',
      `Suggested variant "${record.suggestion.variantId}" (from ${record.suggestion.from}):`,
    );
    for (const group of record.suggestion.groups)
      lines.push(
        `  ${size(group.bytes).padStart(10)}  ${group.reason} (${group.globs.length} globs)`,
      );
  }
  if (record.verified) lines.push('', record.verified.message);
  return lines.join('\n');
}

/** `condense trace`: which files a variant's checks use, and the traced variant with `--suggest`. */
export const traceCommand: CliCommand = {
  usage: `trace [--variant V] [--suggest] [--json] ${CHECK_USAGE} [--run CMD]... [--context NAME]`,
  options: {
    variant: { type: 'string' },
    suggest: { type: 'boolean' },
    json: { type: 'boolean' },
    ...CHECK_OPTIONS,
    // More commands to exercise the image under the tracer (condense.yml's trace.commands too).
    run: { type: 'string', multiple: true },
    context: { type: 'string' },
  },
  async run(context, values) {
    const smoke = smokeFlags(values);
    const network = networkFlag(values);
    const commands = list(values.run).map((text) => parseCheck(text, '--run'));
    const request = validate('trace:start', {
      projectDir: context.projectDir,
      ...(typeof values.variant === 'string' ? { variant: values.variant } : {}),
      ...(values.suggest ? { suggest: true } : {}),
      ...(network ? { network } : {}),
      ...(smoke ? { smoke } : {}),
      ...(commands.length > 0 ? { commands } : {}),
    });
    const contextName = typeof values.context === 'string' ? values.context : undefined;
    const record = await traceProject(
      {
        engine: () => connectEngine(contextName ? { context: contextName } : {}),
        cacheRoot: cacheDir(),
      },
      request,
      {
        signal: context.signal,
        emit: (kind: string, data: unknown) => {
          if (kind === 'progress') context.progress((data as { message: string }).message);
        },
      },
    );
    if (values.json) {
      const r = record.report;
      context.out(
        JSON.stringify(
          {
            variant: r.variant,
            usedBytes: r.usedBytes,
            shippedBytes: r.shippedBytes,
            limitBytes: r.limitBytes,
            packages: r.packages.map((p) => ({
              name: p.name,
              usedBytes: p.usedBytes,
              shippedBytes: p.shippedBytes,
            })),
            ...(record.suggestion ? { suggestion: record.suggestion } : {}),
            ...(record.verified ? { verified: record.verified } : {}),
          },
          null,
          2,
        ),
      );
    } else context.out(traceReportText(record));
    if (record.report.probes.some((p) => !p.passed)) {
      context.progress('condense trace: a check failed under the tracer (see above).');
      return 1;
    }
    return request.suggest && !record.verified?.passed ? 1 : 0;
  },
};
