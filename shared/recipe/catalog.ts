import type { PrunePresetId, RecipePlatform } from './model';

export type RiskLevel = 'low' | 'medium' | 'high';

/**
 * What a rule removes, relative to the environment prefix. The same selector drives the shell command
 * in the Dockerfile (`prune-commands.ts`) and the savings estimate (`match.ts`), so both agree.
 * - `paths`: sh globs (`*`, `?` within one path segment), each removed with `rm -rf`.
 * - `find`: every file (`f`) or directory (`d`) whose name matches `name` (and not `notName`),
 *   optionally only below paths matching `within` (a `find -path` pattern where `*` also matches `/`).
 * `{arch}` in a path stands for the platform's GNU architecture (`x86_64`, `aarch64`...).
 */
export type PruneSelector =
  | { kind: 'paths'; paths: string[] }
  | { kind: 'find'; type: 'f' | 'd'; name: string; notName?: string; within?: string };

/** One prune toggle of the catalog. */
export interface PruneRule {
  id: string;
  title: string;
  selector: PruneSelector;
  /** Why removing it is usually fine. */
  safeBecause: string;
  /** What stops working without it. */
  mayBreak: string;
  risk: RiskLevel;
  /** Where the rule comes from. */
  source: 'korn-2021' | 'crist-harif-2019' | 'custom';
}

const KORN = 'korn-2021' as const;
const CRIST = 'crist-harif-2019' as const;

function sanitizer(short: string, name: string): PruneRule {
  return {
    id: `sanitizer-${short}`,
    title: `${name} runtime (lib${short}.so*)`,
    selector: { kind: 'paths', paths: [`lib/lib${short}.so*`] },
    safeBecause: `Only programs compiled with -fsanitize load lib${short}; the compiler runtime package ships it anyway.`,
    mayBreak: `Binaries built with the ${name} (rare in production packages).`,
    risk: 'low',
    source: KORN,
  };
}

/** Every rule Condense knows, in the order the generated Dockerfile applies them. */
export const PRUNE_RULES: readonly PruneRule[] = [
  {
    id: 'static-libs',
    title: 'Static libraries (*.a)',
    selector: { kind: 'find', type: 'f', name: '*.a' },
    safeBecause: 'Static archives are only read by a linker when compiling, never at run time.',
    mayBreak: 'Compiling and linking C code inside the image.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'pycache',
    title: 'Python bytecode caches (__pycache__)',
    selector: { kind: 'find', type: 'd', name: '__pycache__' },
    safeBecause: 'Python recompiles modules from source when the cache is missing.',
    mayBreak:
      'Start-up time (every import compiles again, and a read-only or non-root /env cannot store the result).',
    risk: 'medium',
    source: KORN,
  },
  {
    id: 'conda-meta',
    title: 'Conda package metadata (conda-meta)',
    selector: { kind: 'paths', paths: ['conda-meta'] },
    safeBecause: 'Only conda itself reads it; the runtime image has no conda.',
    mayBreak:
      '`conda list` and image scanners (Trivy, Syft) that read conda-meta to list packages and their CVEs.',
    risk: 'medium',
    source: KORN,
  },
  {
    id: 'include',
    title: 'C headers (include)',
    selector: { kind: 'paths', paths: ['include'] },
    safeBecause: 'Headers are needed to compile against the libraries, not to run them.',
    mayBreak: 'Building C extensions (or pip installing sdists) inside the image.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'libpython',
    title: 'Shared libpython (lib/libpython*.so*)',
    selector: { kind: 'paths', paths: ['lib/libpython*.so*'] },
    safeBecause:
      "conda-forge's python executable links libpython statically, so it does not load it.",
    mayBreak:
      'Programs that embed Python (uWSGI, mod_wsgi, PyCall, some Jupyter kernels) and any python built against the shared library.',
    risk: 'high',
    source: KORN,
  },
  {
    id: 'pip',
    title: 'pip (site-packages/pip)',
    selector: { kind: 'paths', paths: ['lib/python*/site-packages/pip'] },
    safeBecause:
      'Packages are installed in the builder stage; a production image installs nothing.',
    mayBreak: '`python -m pip` in the running container.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'idlelib',
    title: 'IDLE editor (idlelib)',
    selector: { kind: 'paths', paths: ['lib/python*/idlelib'] },
    safeBecause: 'IDLE is a desktop editor; a server never starts it.',
    mayBreak: 'Nothing but IDLE.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'ensurepip',
    title: 'Bundled pip wheels (ensurepip)',
    selector: { kind: 'paths', paths: ['lib/python*/ensurepip'] },
    safeBecause: 'Only used to bootstrap pip into new virtual environments.',
    mayBreak: '`python -m venv` with pip inside the container.',
    risk: 'low',
    source: KORN,
  },
  sanitizer('asan', 'AddressSanitizer'),
  sanitizer('tsan', 'ThreadSanitizer'),
  sanitizer('lsan', 'LeakSanitizer'),
  sanitizer('ubsan', 'UndefinedBehaviorSanitizer'),
  {
    id: 'conda-linker',
    title: 'Conda linker ({arch}-conda-linux-gnu-ld)',
    selector: { kind: 'paths', paths: ['bin/{arch}-conda-linux-gnu-ld'] },
    safeBecause:
      "binutils' linker is a build tool pulled in as a dependency; nothing links at run time.",
    mayBreak: 'Compiling code inside the container (numba AOT, Cython, cffi builds).',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'sqlite3-cli',
    title: 'sqlite3 command-line shell (bin/sqlite3)',
    selector: { kind: 'paths', paths: ['bin/sqlite3'] },
    safeBecause: 'Python uses libsqlite3, which stays; only the interactive shell goes.',
    mayBreak: 'Running `sqlite3` in the container.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'openssl-cli',
    title: 'openssl command-line tool (bin/openssl)',
    selector: { kind: 'paths', paths: ['bin/openssl'] },
    safeBecause: 'Python uses libssl and libcrypto, which stay; only the command goes.',
    mayBreak: 'Running `openssl` in the container (certificate scripts).',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'terminfo',
    title: 'Terminal descriptions (share/terminfo)',
    selector: { kind: 'paths', paths: ['share/terminfo'] },
    safeBecause: 'Services write logs, not to terminals.',
    mayBreak: 'curses programs and line editing in an interactive `docker run -it` session.',
    risk: 'medium',
    source: KORN,
  },
  {
    id: 'package-tests',
    title: 'Package test suites (site-packages/*/tests)',
    selector: { kind: 'find', type: 'd', name: 'tests', within: 'lib/python*/site-packages/*' },
    safeBecause: "Packages' own tests (numpy, scipy, pandas) are not imported by library code.",
    mayBreak:
      '`numpy.test()` and the like, and the rare package that ships runtime code in a module named tests.',
    risk: 'medium',
    source: KORN,
  },
  {
    id: 'cython-sources',
    title: 'Cython sources (*.pyx)',
    selector: { kind: 'find', type: 'f', name: '*.pyx' },
    safeBecause: 'The compiled extension modules are what Python imports.',
    mayBreak: 'Recompiling Cython code and source lines in some tracebacks.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'uvloop-sources',
    title: "uvloop's generated C source (uvloop/loop.c)",
    selector: { kind: 'paths', paths: ['lib/python*/site-packages/uvloop/loop.c'] },
    safeBecause: 'The compiled loop extension is what uvloop imports.',
    mayBreak: 'Nothing at run time.',
    risk: 'low',
    source: KORN,
  },
  {
    id: 'js-source-maps',
    title: 'JavaScript source maps (*.js.map)',
    selector: { kind: 'find', type: 'f', name: '*.js.map' },
    safeBecause: 'Browsers fetch source maps only when developer tools are open.',
    mayBreak: 'Debugging bundled JavaScript (Bokeh, Jupyter widgets) in the browser.',
    risk: 'low',
    source: CRIST,
  },
  {
    id: 'bokeh-unminified-js',
    title: "Bokeh's unminified JavaScript",
    selector: {
      kind: 'find',
      type: 'f',
      name: '*.js',
      notName: '*.min.js',
      within: 'lib/python*/site-packages/bokeh/server/static/*',
    },
    safeBecause: 'Bokeh serves the minified bundles unless told otherwise.',
    mayBreak: 'Bokeh with BOKEH_MINIFIED=no or BOKEH_RESOURCES=*-dev (debugging its JavaScript).',
    risk: 'medium',
    source: CRIST,
  },
];

const KORN_FINAL = PRUNE_RULES.filter((rule) => rule.source === KORN).map((rule) => rule.id);

/** Presets, each a set of rule ids. */
export const PRUNE_PRESETS: Readonly<Record<PrunePresetId, readonly string[]>> = {
  none: [],
  // Only rules that remove build-time files or tools a service does not call.
  safe: PRUNE_RULES.filter((rule) => rule.risk === 'low').map((rule) => rule.id),
  // The article's final list; plus the low-risk rules from elsewhere so that expert covers safe.
  expert: [
    ...KORN_FINAL,
    ...PRUNE_RULES.filter((r) => r.risk === 'low' && !KORN_FINAL.includes(r.id)).map((r) => r.id),
  ],
};

export function findRule(id: string): PruneRule | undefined {
  return PRUNE_RULES.find((rule) => rule.id === id);
}

/** GNU architecture names as they appear in conda's cross tool names. */
export const PLATFORM_ARCH: Readonly<Record<RecipePlatform, string>> = {
  'linux-64': 'x86_64',
  'linux-aarch64': 'aarch64',
  'linux-ppc64le': 'powerpc64le',
};

/** The selector with `{arch}` replaced for the platform. */
export function resolveSelector(rule: PruneRule, platform: RecipePlatform): PruneSelector {
  const arch = PLATFORM_ARCH[platform];
  const fill = (text: string) => text.replaceAll('{arch}', arch);
  const selector = rule.selector;
  if (selector.kind === 'paths') return { kind: 'paths', paths: selector.paths.map(fill) };
  return { ...selector, ...(selector.within ? { within: fill(selector.within) } : {}) };
}

export function ruleTitle(rule: PruneRule, platform: RecipePlatform): string {
  return rule.title.replaceAll('{arch}', PLATFORM_ARCH[platform]);
}
