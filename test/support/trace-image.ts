// Trace images as the trace service makes them (issue 13): `FROM <variant image>` plus the tracer,
// installed by the builder's `mamba create --copy` from the project's own channels into a stage of
// its own, so the user's image never carries it. For tests of the realistic channel's strace and of
// the trace service fixture.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { parseStraceLog } from '../../shared/trace/strace-log';
import { TRACE_OUT, traceDockerfile, TRACER_PREFIX } from '../../shared/trace/tracer';
import { buildImage, FIXTURE_BUILDER_IMAGE } from './docker';
import { writeAndLockEnvironment } from './service-project';

export { TRACE_OUT, TRACER_PREFIX } from '../../shared/trace/tracer';
export const TRACER = `${TRACER_PREFIX}/bin/strace`;

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
  // The service's own Dockerfile (shared/trace/tracer.ts), built here without a BuildKit cache mount.
  await buildImage(docker, {
    files: { 'tracer.lock': tracerLock },
    dockerfile: traceDockerfile({
      builderImage: FIXTURE_BUILDER_IMAGE,
      image: variantImage,
      buildkitCache: false,
    }),
    tag,
    buildkit: true,
  });
}

/** The paths strace logged, from every log file, read as the trace service reads them. */
export function tracedPaths(logs: Map<string, Buffer>): Set<string> {
  const paths = new Set<string>();
  for (const log of logs.values()) {
    for (const access of parseStraceLog(log.toString('utf8'))) paths.add(access.path);
  }
  return paths;
}
