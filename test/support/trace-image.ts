// Trace images as the trace service makes them (issue 13): `FROM <variant image>` plus the tracer,
// installed by the builder's `mamba create --copy` from the project's own channels into a stage of
// its own, so the user's image never carries it. For tests of the realistic channel's strace and of
// the trace service fixture.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { TRACE_ROOT } from '../../shared/trace/model';
import { buildImage, FIXTURE_BUILDER_IMAGE } from './docker';
import { writeAndLockEnvironment } from './service-project';

export const TRACER_PREFIX = `${TRACE_ROOT}/tool`;
export const TRACER = `${TRACER_PREFIX}/bin/strace`;
/** Where strace writes its logs (mode 1777: the checks run as the image's user). */
export const TRACE_OUT = `${TRACE_ROOT}/out`;

/**
 * strace's options for a trace of what files a program uses: every child (`-f`), one log per
 * process (`-ff`), successful calls only (`-z`), descriptors shown with their paths (`-y`), whole
 * path strings, no signal lines, and only the calls that name or open files, run programs or change
 * folders. `extra` goes before `-o` (e.g. `--seccomp-bpf`).
 */
export function straceCommand(command: string[], extra: string[] = []): string[] {
  return [
    TRACER,
    '-f',
    '-qq',
    '-z',
    '-y',
    '-s',
    '4096',
    '-e',
    'signal=none',
    '-e',
    'trace=%file,%process,fchdir',
    ...extra,
    '-o',
    `${TRACE_OUT}/trace`,
    '-ff',
    '--',
    ...command,
  ];
}

/** Locks `strace` alone on the served channel in `dir`; returns the explicit lockfile's text. */
export async function lockTracer(
  dir: string,
  channelUrl: string,
  cacheRoot: string,
): Promise<string> {
  await writeAndLockEnvironment(dir, 'condense-tracer', channelUrl, cacheRoot, ['strace']);
  return readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
}

/** Builds `FROM variantImage` plus the tracer installed from `tracerLock` (BuildKit, host network). */
export async function buildTraceImage(
  docker: Docker,
  variantImage: string,
  tracerLock: string,
  tag: string,
): Promise<void> {
  await buildImage(docker, {
    files: { 'tracer.lock': tracerLock },
    dockerfile: [
      `FROM ${FIXTURE_BUILDER_IMAGE} AS condense-tracer`,
      'COPY tracer.lock /tmp/tracer.lock',
      `RUN mamba create --copy -p ${TRACER_PREFIX} --file /tmp/tracer.lock --yes && mkdir -m 1777 ${TRACE_OUT}`,
      `FROM ${variantImage}`,
      // The parent folder, so the logs folder keeps its 1777 (writable by the checks' user): COPY of
      // a folder itself creates the destination 0755 (BuildKit of Docker 20.10), only what is
      // inside keeps its mode.
      `COPY --from=condense-tracer ${TRACE_ROOT} ${TRACE_ROOT}`,
      '',
    ].join('\n'),
    tag,
    buildkit: true,
  });
}

/** The paths (quoted strings) strace logged, from every log file. */
export function tracedPaths(logs: Map<string, Buffer>): Set<string> {
  const paths = new Set<string>();
  for (const log of logs.values()) {
    for (const match of log.toString('utf8').matchAll(/"(\/[^"]*)"|<(\/[^>]*)>/g)) {
      paths.add(match[1] ?? match[2]!);
    }
  }
  return paths;
}
