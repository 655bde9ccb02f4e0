import type { BuildRecord, VariantResult } from '../../../shared/api/build';
import { cleanInstruction } from '../../../shared/build/layers';
import { formatSize } from '../../../shared/format/size';
import type { JobView } from './types';

export type SmokeStatus = 'pending' | 'passed' | 'failed' | 'skipped';

/** A layer as the charts show it. */
export interface LayerSize {
  instruction: string;
  bytes: number;
}

/** A built variant as the Results screen shows it. */
export interface VariantView {
  variant: string;
  state: VariantResult['state'];
  /** The prune rules it applied (none: the unpruned variant). */
  rules: string[];
  imageId?: string;
  totalBytes: number;
  layers: LayerSize[];
  smoke: SmokeStatus;
  smokeMessage?: string;
  /** The modules the import check imported. */
  smokeModules?: string[];
  /** The service check's outcome, or why it did not run. */
  service?: { passed: boolean; startupMs?: number; peakMemoryBytes?: number; message: string };
  serviceSkipped?: string;
  /** The variant's bytecode setting, shown beside its start-up time. */
  bytecode?: string;
  error?: string;
}

function smokeMessage(result: VariantResult): string | undefined {
  const failed = result.smoke?.checks.find((c) => !c.passed);
  if (!failed) return undefined;
  const output = failed.output.trim().split('\n').slice(-1)[0] ?? '';
  return `${failed.command.join(' ')} exited ${failed.exitCode}${output ? `: ${output}` : ''}`;
}

export function toVariantView(result: VariantResult, smokeExpected = false): VariantView {
  const view: VariantView = {
    variant: result.id,
    state: result.state,
    rules: result.rules,
    totalBytes: result.sizeBytes ?? result.layers.reduce((sum, l) => sum + l.sizeBytes, 0),
    // Imported base images have layers without an instruction.
    layers: result.layers.map((l) => ({
      instruction: cleanInstruction(l.createdBy) || '(base image layer)',
      bytes: l.sizeBytes,
    })),
    smoke: result.smoke
      ? result.smoke.passed
        ? 'passed'
        : 'failed'
      : smokeExpected && result.state === 'succeeded' && !result.smokeSkipped
        ? 'pending'
        : 'skipped',
  };
  if (result.imageId) view.imageId = result.imageId;
  const message = smokeMessage(result) ?? result.smokeSkipped;
  if (message) view.smokeMessage = message;
  if (result.smoke?.modules?.length) view.smokeModules = result.smoke.modules;
  if (result.service) {
    const { passed, startupMs, peakMemoryBytes, message: serviceMessage } = result.service;
    view.service = {
      passed,
      message: serviceMessage,
      ...(startupMs !== undefined ? { startupMs } : {}),
      ...(peakMemoryBytes !== undefined ? { peakMemoryBytes } : {}),
    };
  }
  if (result.serviceSkipped) view.serviceSkipped = result.serviceSkipped;
  if (result.bytecode) view.bytecode = result.bytecode;
  if (result.error) view.error = result.error.message;
  return view;
}

/** The start-up time the service check measured, as `0.42 s`, or '' when none was measured. */
export function startupText(view: VariantView): string {
  const ms = view.service?.startupMs;
  return ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`;
}

/** One line on a variant's service check: `passed, peak memory 40.1 MiB` or `failed: <why>`. */
export function serviceSummary(view: VariantView): string {
  if (view.service?.passed) {
    const memory = view.service.peakMemoryBytes;
    return memory !== undefined ? `passed, peak memory ${formatSize(memory)}` : 'passed';
  }
  if (view.service) return `failed: ${view.service.message}`;
  return view.serviceSkipped ? `not run: ${view.serviceSkipped}` : '';
}

export function recordViews(record: BuildRecord): VariantView[] {
  return record.variants.map((v) => toVariantView(v));
}

/** One line on a variant's smoke test: `passed, imported click, numpy` or `skipped: <reason>`. */
export function smokeSummary(view: VariantView): string {
  const imported = view.smokeModules ? `imported ${view.smokeModules.join(', ')}` : '';
  if (view.smoke === 'passed') return imported ? `passed, ${imported}` : 'passed';
  if (view.smoke === 'failed') {
    return `failed${view.smokeMessage ? `: ${view.smokeMessage}` : ''}${imported ? ` (${imported})` : ''}`;
  }
  if (view.smoke === 'pending') return 'running…';
  return view.smokeMessage ? `not run: ${view.smokeMessage}` : 'not run';
}

/** The build's state in one sentence, and whether it reads as a failure. */
export interface BuildOutcome {
  tone: 'running' | 'ok' | 'failed' | 'cancelled';
  text: string;
}

function names(ids: string[]): string {
  return ids.join(', ');
}

/**
 * What the Build screen says about a job. A build whose job succeeded can still have variants that
 * failed to build or whose smoke test failed: that is a failure, not "finished".
 */
export function buildOutcome(job: Pick<JobView, 'state' | 'progress' | 'variants'>): BuildOutcome {
  if (job.state === 'running')
    return { tone: 'running', text: job.progress?.message ?? 'Building…' };
  if (job.state === 'cancelled') return { tone: 'cancelled', text: 'Build cancelled.' };
  if (job.state === 'failed') return { tone: 'failed', text: 'Build failed.' };
  const broken = job.variants.filter((v) => v.state !== 'succeeded').map((v) => v.id);
  const smokeFailed = job.variants.filter((v) => v.smoke && !v.smoke.passed).map((v) => v.id);
  const built = job.variants.length - broken.length;
  const count = `${built} of ${job.variants.length} variant${job.variants.length === 1 ? '' : 's'} built`;
  if (broken.length > 0) {
    return { tone: 'failed', text: `Build failed for ${names(broken)} (${count}).` };
  }
  if (smokeFailed.length > 0) {
    return {
      tone: 'failed',
      text: `Smoke test failed for ${names(smokeFailed)}: the image builds but does not work (${count}).`,
    };
  }
  const checked = job.variants.some((v) => v.smoke?.passed) ? ', smoke tests passed' : '';
  return {
    tone: 'ok',
    text: `Build finished: ${built} variant${built === 1 ? '' : 's'} built${checked}.`,
  };
}
