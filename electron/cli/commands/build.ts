import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type {
  BuildEvents,
  BuildRecord,
  BuildStartRequest,
  VariantSpec,
} from '../../../shared/api/build';
import { CondenseError, isCondenseError } from '../../../shared/api/errors';
import { validate } from '../../../shared/api/validate';
import { compareBuilds } from '../../../shared/build/compare';
import type { BuildSource } from '../../services/build/build-service';
import { buildProject, projectBuildSource } from '../../services/build/build-service';
import { loadBuild } from '../../services/build/history-store';
import { connectEngine } from '../../services/docker/engine';
import type { CliCommand } from '../command';
import { buildSummaryText, checksText, comparisonText, PlainProgress } from './build-output';
import { CHECK_OPTIONS, list, networkFlag, smokeFlags } from './check-flags';
import { parseKeep } from './images';

/**
 * `--variant V` picks recipe variants; `--variant V=STAGE` defines a variant as a target stage of a
 * hand-written Dockerfile (`--variant slim=runtime-slim`).
 */
export function variantOptions(values: string[]): { ids?: string[]; defined?: VariantSpec[] } {
  const defined = values.filter((v) => v.includes('='));
  if (defined.length === 0) return values.length ? { ids: values } : {};
  if (defined.length !== values.length) {
    throw new CondenseError(
      'INVALID_INPUT',
      'Use either --variant NAME (pick from the recipe) or --variant NAME=STAGE (define), not both.',
    );
  }
  return {
    defined: defined.map((v) => {
      const [id, target] = v.split('=', 2) as [string, string];
      return { id, target };
    }),
  };
}

/**
 * The CLI's own build source: `--dockerfile PATH` and `--variant V=STAGE` come from the user at this
 * machine, so unlike a request they may name a hand-written Dockerfile. Undefined: the recipe's.
 */
async function cliBuildSource(
  projectDir: string,
  dockerfilePath: string | undefined,
  defined: VariantSpec[] | undefined,
): Promise<BuildSource | undefined> {
  if (dockerfilePath === undefined && !defined) return undefined;
  let dockerfile: string;
  if (dockerfilePath !== undefined) {
    const path = resolve(projectDir, dockerfilePath);
    dockerfile = await readFile(path, 'utf8').catch((error: Error) => {
      throw new CondenseError('NOT_FOUND', `Cannot read the Dockerfile ${path}: ${error.message}`);
    });
  } else {
    dockerfile = (await projectBuildSource(projectDir)).dockerfile;
  }
  return { dockerfile, ...(defined ? { variants: defined } : {}) };
}

function parseConcurrency(text: string): number {
  const value = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 8)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `--concurrency takes a whole number from 1 to 8, not ${JSON.stringify(text)}.`,
    );
  }
  return value;
}

/** `condense build`: builds the recipe's variants, streams progress, prints the variant table. */
export const buildCommand: CliCommand = {
  usage:
    'build [--variant V[=STAGE]]... [--progress plain|json|none] [--json] [--dockerfile PATH] [--module M]... [--no-imports] [--check CMD] [--check-timeout SECONDS] [--network default|host|none] [--classic] [--no-cache] [--repository R] [--keep-builds N] [--context NAME] [--concurrency N]',
  options: {
    variant: { type: 'string', multiple: true },
    progress: { type: 'string' },
    json: { type: 'boolean' },
    dockerfile: { type: 'string' },
    ...CHECK_OPTIONS,
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
    const smoke = smokeFlags(values);
    const network = networkFlag(values);
    const keepBuilds = parseKeep(
      typeof values['keep-builds'] === 'string' ? values['keep-builds'] : undefined,
      '--keep-builds',
    );
    const { ids, defined } = variantOptions(list(values.variant));
    // The same request check as every other door (build:start).
    const request = validate('build:start', {
      projectDir: context.projectDir,
      ...(keepBuilds !== undefined ? { keepBuilds } : {}),
      ...(ids ? { variants: ids } : {}),
      ...(smoke ? { smoke } : {}),
      ...(network ? { network } : {}),
      ...(values.classic ? { classic: true } : {}),
      ...(values['no-cache'] ? { noCache: true } : {}),
      ...(typeof values.repository === 'string' ? { repository: values.repository } : {}),
      ...(typeof values.concurrency === 'string'
        ? { concurrency: parseConcurrency(values.concurrency) }
        : {}),
    } satisfies BuildStartRequest);
    const source = await cliBuildSource(
      context.projectDir,
      typeof values.dockerfile === 'string' ? values.dockerfile : undefined,
      defined,
    );
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
        source,
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
