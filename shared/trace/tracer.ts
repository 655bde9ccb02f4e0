import { parseMatchSpec } from '../conda/match-spec';
import { TRACE_ROOT } from './model';

/**
 * The tracer is conda's `strace` package (conda-forge builds it for every Linux platform), installed
 * from the project's own channels into `/.condense-trace/tool` of a trace image, which is the
 * variant's image plus that folder. The user's images never contain it.
 */
export const TRACER_SPEC = parseMatchSpec('strace');
export const TRACER_PREFIX = `${TRACE_ROOT}/tool`;
/** Where each traced process writes its log (`-ff`: one file per thread). World-writable: the
 * image's own user (often 65532) runs the tracer. */
export const TRACE_OUT = `${TRACE_ROOT}/out`;
export const TRACER_LOCKFILE = 'tracer.lock';
const TRACER_STAGE = 'condense-tracer';
// `repo/name:tag`, `name@sha256:...`, an image id: nothing the Dockerfile lexer treats specially.
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

/** Label on trace images, so they can be found and removed. */
export const TRACE_IMAGE_LABEL = 'org.condense.trace';
/** `host:pid` of the process that built a trace image: a later trace removes it once that is gone. */
export const TRACE_OWNER_LABEL = 'org.condense.trace.owner';

/**
 * The strace command line put before each traced command: follow every process and thread (`-f`,
 * a file per thread with `-ff`), successful calls only (`-z`), descriptors decoded to paths (`-y`),
 * whole paths (`-s 4096`), only the calls that name files or start processes; `--seccomp-bpf` stops
 * the traced program only at those calls, so it runs at nearly full speed.
 */
export function tracerCommand(): string[] {
  return [
    `${TRACER_PREFIX}/bin/strace`,
    '-f',
    '-ff',
    '-qq',
    '-z',
    '-y',
    '-s',
    '4096',
    '--seccomp-bpf',
    '-e',
    'signal=none',
    '-e',
    'trace=%file,%process,fchdir',
    '-o',
    `${TRACE_OUT}/trace`,
    '--',
  ];
}

export interface TraceDockerfileOptions {
  /** The builder image of the recipe: it installs the tracer with its own mamba. */
  builderImage: string;
  /** The variant image to trace (a tag of the build). */
  image: string;
  /** With BuildKit: the package cache as a cache mount, as the recipe's builder stage does. */
  buildkitCache: boolean;
}

/** The trace image: the variant's image plus the tracer, nothing else changed. */
export function traceDockerfile(options: TraceDockerfileOptions): string {
  for (const ref of [options.image, options.builderImage]) {
    if (!IMAGE_REFERENCE.test(ref)) throw new Error(`image "${ref}" is not an image reference`);
  }
  const image = options.image;
  const install = `mamba create --copy -p ${TRACER_PREFIX} --file /tmp/${TRACER_LOCKFILE}`;
  const run = options.buildkitCache
    ? `RUN --mount=type=cache,target=/opt/conda/pkgs,sharing=locked ${install}`
    : `RUN ${install} && conda clean -afy`;
  return [
    '# The tracer (strace from the project channels), in a folder of its own.',
    `FROM ${options.builderImage} AS ${TRACER_STAGE}`,
    `COPY ${TRACER_LOCKFILE} /tmp/${TRACER_LOCKFILE}`,
    `${run} \\`,
    ` && mkdir -p ${TRACE_OUT} && chmod 1777 ${TRACE_OUT}`,
    '# The traced image: the variant as built, plus the tracer.',
    `FROM ${image}`,
    `COPY --from=${TRACER_STAGE} ${TRACE_ROOT} ${TRACE_ROOT}`,
    '',
  ].join('\n');
}
