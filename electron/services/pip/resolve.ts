import { CondenseError } from '../../../shared/api/errors';
import type { LockedPackage } from '../../../shared/conda/lock-model';
import type { PipReport } from '../../../shared/pip/lock-records';
import { parsePipReport, pipLockedPackages } from '../../../shared/pip/lock-records';
import type { PipRequirement } from '../../../shared/pip/requirement';
import { formatRequirement, normalizePipName } from '../../../shared/pip/requirement';
import type { Engine } from '../docker/engine';
import { condaEnvImage, runContainer, WORK_DIR } from './container';
import type { PipIndexes } from './credentials';
import { redact } from './credentials';
import { indexProject } from './index';

/** What pip does with a package that has only a source distribution. */
export type SdistPolicy = 'refuse' | 'build';

export interface PipResolveOptions {
  engine: Engine;
  builderImage: string;
  prefix: string;
  /** The platform's explicit conda lockfile. */
  condaLock: string;
  platform: string;
  requirements: PipRequirement[];
  indexes: PipIndexes;
  /** Previous pins (`name==version`) pip keeps when they still fit. */
  constraints: string[];
  sdist: SdistPolicy;
  /** Docker network mode of the throwaway containers (`host` on an engine without a bridge). */
  network: string;
  signal?: AbortSignal;
  /** For the pip run, default 5 min. */
  deadlineMs?: number;
  progress?: (message: string) => void;
}

export interface PipResolution {
  packages: LockedPackage[];
  report: PipReport;
}

function pipArguments(options: PipResolveOptions, withConstraints: boolean): string[] {
  return [
    'install',
    '--dry-run',
    '--quiet',
    '--report',
    `${WORK_DIR}/report.json`,
    '--disable-pip-version-check',
    '--no-input',
    '--root-user-action',
    'ignore',
    '--retries',
    '1',
    '--timeout',
    '20',
    '--index-url',
    options.indexes.primary.url,
    ...options.indexes.extra.flatMap((i) => ['--extra-index-url', i.url]),
    // Without --ignore-installed, pip leaves what conda installed alone and reports only the rest.
    ...(options.sdist === 'refuse'
      ? ['--only-binary', ':all:']
      : ['--prefer-binary', '--no-build-isolation']),
    '-r',
    `${WORK_DIR}/requirements.txt`,
    ...(withConstraints ? ['-c', `${WORK_DIR}/constraints.txt`] : []),
  ];
}

// Lists what conda installed, then runs pip with the arguments given after the script.
const SCRIPT = `conda run -p "$CONDENSE_PREFIX" python -m pip list --format json --disable-pip-version-check > ${WORK_DIR}/installed.json && exec conda run -p "$CONDENSE_PREFIX" python -m pip "$@"`;

/**
 * Locks the pip requirements of one platform by letting pip resolve them in a throwaway container of
 * the builder image with the platform's conda lock installed: markers, wheel tags and Requires-Python
 * are those of the locked Python, and what conda installs is not installed again.
 */
export async function resolvePip(options: PipResolveOptions): Promise<PipResolution> {
  const image = await condaEnvImage({
    engine: options.engine,
    builderImage: options.builderImage,
    prefix: options.prefix,
    condaLock: options.condaLock,
    network: options.network,
    signal: options.signal,
    progress: options.progress,
  });
  options.progress?.(`resolving ${options.requirements.length} pip requirements`);
  const attempt = (withConstraints: boolean) =>
    runContainer({
      engine: options.engine,
      image,
      command: ['sh', '-c', SCRIPT, 'sh', ...pipArguments(options, withConstraints)],
      env: [`CONDENSE_PREFIX=${options.prefix}`, `NETRC=${WORK_DIR}/netrc`, 'PIP_NO_COLOR=1'],
      files: {
        'requirements.txt': options.requirements.map((r) => `${formatRequirement(r)}\n`).join(''),
        'constraints.txt': options.constraints.map((c) => `${c}\n`).join(''),
        netrc: options.indexes.netrc,
      },
      network: options.network,
      signal: options.signal,
      deadlineMs: options.deadlineMs ?? 5 * 60_000,
      what: `pip (index ${options.indexes.primary.host})`,
    });
  let run = await attempt(options.constraints.length > 0);
  // The previous pins no longer fit the requirements: resolve afresh, as the conda side does.
  if (
    run.exitCode !== 0 &&
    options.constraints.length > 0 &&
    /conflict|ResolutionImpossible|Cannot install|No matching distribution/i.test(run.output)
  )
    run = await attempt(false);
  const output = redact(run.output, options.indexes.secrets);
  if (run.exitCode !== 0) throw await pipFailure(output, options);
  const report = parsePipReport(run.outputs.get('report.json') ?? '');
  const conda = new Map<string, string>();
  for (const entry of JSON.parse(run.outputs.get('installed.json') ?? '[]') as {
    name: string;
    version: string;
  }[])
    conda.set(normalizePipName(entry.name), entry.version);
  const replaced = report.install.filter((i) => conda.has(normalizePipName(i.metadata.name)));
  if (replaced.length > 0) {
    const list = replaced
      .map(
        (i) =>
          `${i.metadata.name} ${conda.get(normalizePipName(i.metadata.name))} -> ${i.metadata.version}`,
      )
      .join(', ');
    throw new CondenseError(
      'UNSATISFIABLE',
      `pip would replace packages conda installs (${list}): change the conda dependency to the version pip needs, or relax the pip requirement`,
      { packages: replaced.map((i) => i.metadata.name) },
    );
  }
  const packages = pipLockedPackages(report, { platform: options.platform });
  return { packages, report };
}

const lastLines = (text: string, n = 3) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^WARNING: (Retrying|Running pip)/.test(l))
    .slice(-n)
    .join(' ');

/** A one-line error naming the package or the index, from pip's output. */
async function pipFailure(output: string, options: PipResolveOptions): Promise<CondenseError> {
  const indexes = [options.indexes.primary, ...options.indexes.extra];
  const names = indexes.map((i) => i.url).join(', ');
  const status =
    /(\d{3}) Client Error: [^\n]*? for url: (\S+)/.exec(output) ??
    /(401) Error, Credentials not correct for (\S+)/.exec(output);
  if (status && (status[1] === '401' || status[1] === '403')) {
    const host = new URL(status[2]!).host;
    return new CondenseError(
      'UNAUTHORIZED',
      `the pip index ${host} refused the credentials (${status[1]}): check the \${VAR}s in its URL or its ~/.netrc entry`,
      { index: host },
    );
  }
  const unreachable =
    /Could not fetch URL (\S+?): |Failed to establish a new connection|Read timed out|ConnectTimeoutError|Connection refused/.exec(
      output,
    );
  const missing = /No matching distribution found for ([A-Za-z0-9._-]+)/.exec(output);
  if (unreachable && (missing || !/Cannot install/.test(output))) {
    // urllib3 names the pool as host='h', port=N: keep the port, several indexes may share a host.
    const pool = /host='([^']+)', port=(\d+)/.exec(output);
    const url =
      /Could not fetch URL (\S+?): /.exec(output)?.[1] ??
      (pool ? `${pool[1]}:${pool[2]}` : /host='([^']+)'/.exec(output)?.[1]);
    const host = url
      ? url.includes('://')
        ? new URL(url).host
        : url
      : options.indexes.primary.host;
    // A server that accepts and never answers is up but stuck: say so rather than "unreachable".
    const timedOut = /Read timed out/.test(output);
    return new CondenseError(
      timedOut ? 'TIMEOUT' : 'CHANNEL_UNREACHABLE',
      timedOut
        ? `the pip index ${host} accepted the connection but did not answer within pip's timeout, from the builder container (network ${options.network}): check that the index is working, then lock again`
        : `the pip index ${host} cannot be reached from the builder container (network ${options.network}): check that it is up and reachable, then lock again`,
      { index: host },
    );
  }
  if (missing) {
    const name = missing[1]!;
    const python = `Python ${pythonOf(options.condaLock) ?? '?'} on ${options.platform}`;
    const project = await indexProject(indexes, name, options.signal, options.indexes).catch(
      (error: unknown) => {
        if (error instanceof CondenseError && error.code !== 'INVALID_INPUT') throw error;
        return undefined;
      },
    );
    if (!project)
      return new CondenseError(
        'PACKAGE_NOT_FOUND',
        `pip package ${name} was not found on ${names}: check the name`,
        {
          package: name,
        },
      );
    const wheels = project.files.filter((f) => f.filename.endsWith('.whl'));
    if (wheels.length === 0 && options.sdist === 'refuse')
      return new CondenseError(
        'PACKAGE_NOT_FOUND',
        `pip package ${name} is published only as source (sdist): set "pip: {sdist: build}" in condense.yml to build it in the builder, or pick a version with wheels`,
        { package: name },
      );
    return new CondenseError(
      'PACKAGE_NOT_FOUND',
      `no file of pip package ${name} fits ${python} (${project.files.length} files on ${project.index}: none matches the requirement, the wheel tags or Requires-Python)`,
      { package: name },
    );
  }
  if (/ResolutionImpossible|conflicting dependencies|Cannot install/.test(output))
    return new CondenseError(
      'UNSATISFIABLE',
      `pip cannot satisfy the pip requirements together: ${lastLines(output, 4)}`,
    );
  return new CondenseError('EXTERNAL_TOOL_FAILED', `pip failed: ${lastLines(output)}`);
}

function pythonOf(condaLock: string): string | undefined {
  return /\/python-(\d+\.\d+)[.\d]*-[^/]*\.(?:conda|tar\.bz2)/.exec(condaLock)?.[1];
}
