import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type {
  BuildEvents,
  BuildRecord,
  BuildStartRequest,
  NetworkMode,
  SmokeSpec,
} from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import { compareBuilds } from '../../../shared/build/compare';
import { NETWORK_MODES } from '../../../shared/checks/model';
import { buildProject } from '../../services/build/build-service';
import { loadBuild } from '../../services/build/history-store';
import { connectEngine } from '../../services/docker/engine';
import type { CliCommand } from '../command';
import { buildSummaryText, checksText, comparisonText, PlainProgress } from './build-output';
import { parseKeep } from './images';

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/** `--check` takes a JSON array (`["python","-m","app.check"]`) or words split on spaces; no shell. */
export function parseCheck(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((p) => typeof p === 'string')
    ) {
      throw new CondenseError(
        'INVALID_INPUT',
        '--check as JSON must be a non-empty array of strings.',
      );
    }
    return parsed;
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new CondenseError('INVALID_INPUT', '--check needs a command.');
  return words;
}

/**
 * `--variant V` picks recipe variants; `--variant V=STAGE` defines a variant as a target stage of a
 * hand-written Dockerfile (`--variant slim=runtime-slim`).
 */
export function variantOptions(values: string[]): Pick<BuildStartRequest, 'only' | 'variants'> {
  const defined = values.filter((v) => v.includes('='));
  if (defined.length === 0) return values.length ? { only: values } : {};
  if (defined.length !== values.length) {
    throw new CondenseError(
      'INVALID_INPUT',
      'Use either --variant NAME (pick from the recipe) or --variant NAME=STAGE (define), not both.',
    );
  }
  return {
    variants: defined.map((v) => {
      const [id, target] = v.split('=', 2) as [string, string];
      return { id, target };
    }),
  };
}

/** `condense build`: builds the recipe's variants, streams progress, prints the variant table. */
export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'Build the image (each variant) with BuildKit, smoke-test it and keep it in the history',
  usage:
    'build [--variant V[=STAGE]]... [--progress plain|json|none] [--json] [--dockerfile PATH] [--module M]... [--no-imports] [--check CMD] [--check-timeout SECONDS] [--network default|host|none] [--classic] [--no-cache] [--repository R] [--keep-builds N] [--context NAME] [--concurrency N]',
  options: {
    variant: { type: 'string', multiple: true },
    progress: { type: 'string' },
    json: { type: 'boolean' },
    dockerfile: { type: 'string' },
    module: { type: 'string', multiple: true },
    'no-imports': { type: 'boolean' },
    check: { type: 'string' },
    'check-timeout': { type: 'string' },
    // Overrides condense.yml's network: (an engine without a bridge needs host).
    network: { type: 'string' },
    classic: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    repository: { type: 'string' },
    // Image retention: older builds' <variant>-<buildId> tags go after a successful build (0: keep all).
    'keep-builds': { type: 'string' },
    context: { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run(context, values) {
    const progress = typeof values.progress === 'string' ? values.progress : 'plain';
    if (!['plain', 'json', 'none'].includes(progress)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `--progress takes plain, json or none, not "${progress}".`,
      );
    }
    const smoke: SmokeSpec = {};
    // Without --module the build imports the lock's top-level modules; --no-imports turns that off.
    if (list(values.module).length) smoke.modules = list(values.module);
    else if (values['no-imports']) smoke.modules = [];
    if (typeof values.check === 'string') smoke.command = parseCheck(values.check);
    if (typeof values['check-timeout'] === 'string') {
      const seconds = Number(values['check-timeout']);
      if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600)
        throw new CondenseError(
          'INVALID_INPUT',
          `--check-timeout takes seconds from 1 to 3600, not "${values['check-timeout']}".`,
        );
      smoke.commandTimeoutSeconds = seconds;
    }
    const network = values.network;
    if (network !== undefined && !NETWORK_MODES.includes(network as NetworkMode)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `--network takes default, host or none, not "${String(network)}".`,
      );
    }
    const keepBuilds = parseKeep(
      typeof values['keep-builds'] === 'string' ? values['keep-builds'] : undefined,
      '--keep-builds',
    );
    const request: BuildStartRequest = {
      projectDir: context.projectDir,
      ...(keepBuilds !== undefined ? { keepBuilds } : {}),
      ...variantOptions(list(values.variant)),
      ...(smoke.modules || smoke.command ? { smoke } : {}),
      ...(typeof network === 'string' ? { network: network as NetworkMode } : {}),
      ...(values.classic ? { classic: true } : {}),
      ...(values['no-cache'] ? { noCache: true } : {}),
      ...(typeof values.repository === 'string' ? { repository: values.repository } : {}),
      ...(typeof values.concurrency === 'string'
        ? { concurrency: Number(values.concurrency) }
        : {}),
    };
    if (typeof values.dockerfile === 'string') {
      const path = resolve(context.projectDir, values.dockerfile);
      request.dockerfile = await readFile(path, 'utf8').catch((error: Error) => {
        throw new CondenseError(
          'NOT_FOUND',
          `Cannot read the Dockerfile ${path}: ${error.message}`,
        );
      });
    }
    const plain = new PlainProgress((text) => context.progress(text));
    const emit = <K extends keyof BuildEvents>(kind: K, data: BuildEvents[K]) => {
      if (progress === 'plain') plain.event(kind, data);
      else if (progress === 'json') context.progress(JSON.stringify({ kind, data }));
    };
    const contextName = typeof values.context === 'string' ? values.context : undefined;
    const print = (record: BuildRecord) => {
      if (values.json) context.out(JSON.stringify(record, null, 2));
      else {
        context.out(buildSummaryText(record));
        context.out(comparisonText(compareBuilds(record)));
        const checks = checksText(record);
        if (checks) context.out(checks);
      }
    };
    let record: BuildRecord;
    try {
      record = await buildProject(
        { engine: () => connectEngine(contextName ? { context: contextName } : {}) },
        request,
        { signal: context.signal, emit },
      );
    } catch (error) {
      // Every variant failed (a check, the build): the record is in the history; print it too.
      const buildId = isCondenseError(error) ? error.details?.buildId : undefined;
      if (typeof buildId === 'string') {
        const saved = await loadBuild(context.projectDir, buildId).catch(() => undefined);
        if (saved) print(saved);
      }
      throw error;
    }
    print(record);
    const smokeFailed = record.variants.some((v) => v.smoke && !v.smoke.passed);
    if (smokeFailed)
      context.progress('condense build: a smoke test failed (see the smoke column).');
    return record.state === 'succeeded' && !smokeFailed ? 0 : 1;
  },
};
