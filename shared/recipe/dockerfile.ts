import { CondenseError } from '../api/errors';
import type { Entrypoint, ImageFile, PruneSettings, Recipe, Variant } from './model';
import type { ResolvedRule } from './prune-commands';
import { pruneCommand, resolvePrune } from './prune-commands';
import { assertSafePath, dockerfileQuote, execForm, hasControlCharacter } from './quote';
import { validateRecipe } from './validate';

/** Name of the builder stage shared by every variant. */
export const BUILDER_STAGE = 'conda';
/** Where the user's package is copied in the builder stage. */
export const PACKAGE_DIR = '/pkg';

export interface DockerfileOptions {
  /**
   * Variants to emit. When empty (the default: the recipe's own `variants`), the file has the seed's
   * two-stage shape with the recipe's `prune` setting.
   */
  variants?: Variant[];
  /** A `# syntax=` frontend image. Off by default: it makes BuildKit pull an image. */
  syntax?: string;
  /**
   * environment.yml's `variables:`, which conda sets when it creates the environment: the runtime
   * stage sets them as ENV (the recipe's own `env` wins on a name both set).
   */
  variables?: Record<string, string>;
  /** Set when the lockfile has `# pip` lines: the pip step is emitted (see `pipStep`). */
  pip?: PipStepOptions;
}

export interface PipStepOptions {
  /**
   * Index hosts (`host[:port]`) whose wheels need credentials. With BuildKit they come as the secret
   * PIP_SECRET_ID (netrc text); the classic builder cannot pass a secret without a layer keeping it.
   */
  credentialHosts: string[];
}

/** The BuildKit secret that carries the pip indexes' netrc at build time. */
export const PIP_SECRET_ID = 'pip-netrc';
const PIP_REQUIREMENTS = '/tmp/pip-requirements.txt';
const HOST = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The stage to build for a variant: `runtime-<id>` in a multi-variant file, `runtime` in a
 * single-variant one (call it without an id).
 */
export function targetStage(variantId?: string): string {
  return variantId === undefined ? 'runtime' : `runtime-${variantId}`;
}

/** The prune stage of a variant in a multi-variant file. */
export function pruneStage(variantId: string): string {
  return `prune-${variantId}`;
}

/** gunicorn's bind when the recipe has no port: the seed's. */
export const DEFAULT_GUNICORN_PORT = 8000;

/** The program and arguments of the CMD, or null for no CMD; gunicorn binds `port` unless told. */
export function commandOf(
  entrypoint: Entrypoint,
  prefix: string,
  port: number | null = null,
): string[] | null {
  switch (entrypoint.preset) {
    case 'gunicorn':
      return [
        `${prefix}/bin/gunicorn`,
        '-b',
        entrypoint.bind ?? `0.0.0.0:${port ?? DEFAULT_GUNICORN_PORT}`,
        ...(entrypoint.workers ? ['-w', String(entrypoint.workers)] : []),
        '-k',
        'uvicorn.workers.UvicornWorker',
        ...(entrypoint.args ?? []),
        entrypoint.app,
      ];
    case 'module':
      return [`${prefix}/bin/python`, '-m', entrypoint.module, ...(entrypoint.args ?? [])];
    case 'script':
      return [`${prefix}/bin/python`, entrypoint.script, ...(entrypoint.args ?? [])];
    case 'command':
      return [...entrypoint.command];
    case 'none':
      return null;
  }
}

/**
 * `pip install --no-deps --require-hashes` of the lockfile's `# pip` lines (conda-lock's explicit form,
 * `name @ url#sha256=...`): pip resolved at lock time, so the build only downloads and checks.
 */
function pipStep(recipe: Recipe, pip: PipStepOptions): string[] {
  const prefix = recipe.prefix;
  const lock = `/tmp/${recipe.lockfile}`;
  const hosts = [...pip.credentialHosts].sort();
  for (const host of hosts)
    if (!HOST.test(host))
      throw new CondenseError('INVALID_INPUT', `pip index host "${host}" is not a host name`);
  const extract = `sed -n 's/^# pip //p' ${lock} > ${PIP_REQUIREMENTS}`;
  const flags = ['--no-deps', '--require-hashes', '--no-input', '--disable-pip-version-check'];
  if (recipe.pip.sdist === 'build') flags.push('--no-build-isolation');
  const lines = [
    "# pip packages of the lock (its '# pip' lines), hash-checked; pip resolved them at lock time.",
  ];
  if (!recipe.buildkitCache) {
    if (hosts.length > 0) {
      const message = `pip packages from ${hosts.join(', ')} need credentials, and the classic builder cannot pass them without leaving them in a layer: build with BuildKit`;
      lines.push(
        '# The classic builder has no secrets.',
        `RUN echo ${dockerfileQuote(message)} >&2 && exit 1`,
      );
      return lines;
    }
    lines.push(
      `RUN ${extract} \\\n && conda run -p ${prefix} python -m pip install ${[...flags, '--no-cache-dir'].join(' ')} -r ${PIP_REQUIREMENTS}`,
    );
    return lines;
  }
  const mounts = ['--mount=type=cache,target=/root/.cache/pip,sharing=locked'];
  let check = '';
  let netrc = '';
  if (hosts.length > 0) {
    const secret = `/run/secrets/${PIP_SECRET_ID}`;
    mounts.push(`--mount=type=secret,id=${PIP_SECRET_ID}`);
    const message = `pip index ${hosts.join(', ')} needs credentials: set the \${VAR}s of its URL (or ~/.netrc) where Condense builds, or pass the BuildKit secret ${PIP_SECRET_ID} (netrc)`;
    lines.push(
      `# Credentials for ${hosts.join(', ')} come as a BuildKit secret: mounted for this step only, never in a layer.`,
    );
    check = `test -s ${secret} || { echo ${dockerfileQuote(message)} >&2; exit 1; } \\\n && `;
    netrc = `NETRC=${secret} `;
  }
  lines.push(
    `RUN ${mounts.join(' ')} \\\n    ${check}${extract} \\\n && ${netrc}conda run -p ${prefix} python -m pip install ${[...flags, '--cache-dir', '/root/.cache/pip'].join(' ')} -r ${PIP_REQUIREMENTS}`,
  );
  return lines;
}

function builderStage(recipe: Recipe, pip?: PipStepOptions): string[] {
  const prefix = assertSafePath(recipe.prefix, 'prefix');
  const lock = assertSafePath(recipe.lockfile, 'lockfile');
  const install = `mamba create --copy -p ${prefix} --file /tmp/${lock}`;
  const lines = [
    '# Builder stage: install the locked conda environment.',
    `FROM ${recipe.builderImage} AS ${BUILDER_STAGE}`,
    '# The lockfile pins every package: mamba installs it without solving.',
    `COPY ${lock} /tmp/${lock}`,
    '# --copy writes real files instead of links into the package cache, so the environment can be',
    '# copied on its own into the runtime stage.',
  ];
  if (recipe.buildkitCache) {
    lines.push(
      '# BuildKit keeps downloaded packages in a cache mount between builds; they never enter a layer.',
      '# sharing=locked: two builds at once must not write the same package cache.',
      `RUN --mount=type=cache,target=/opt/conda/pkgs,sharing=locked ${install}`,
    );
  } else {
    lines.push(
      '# Without BuildKit, clean the package cache in the same step so it never enters a layer.',
      `RUN ${install} && conda clean -afy`,
    );
  }
  if (pip) lines.push(...pipStep(recipe, pip));
  if (recipe.package) {
    const source = assertSafePath(recipe.package.path, 'package path');
    const flags = ['--no-deps', '--no-cache-dir'];
    if (recipe.package.noBuildIsolation) flags.push('--no-build-isolation');
    lines.push(
      '# Your package, without dependencies: every dependency comes from the lockfile.',
      `COPY ${source} ${PACKAGE_DIR}`,
    );
    if (recipe.package.noBuildIsolation) {
      lines.push(
        '# --no-build-isolation: pip would otherwise download setuptools for the build, which fails',
        '# offline; the build backend comes from the locked environment instead.',
      );
    }
    lines.push(
      `RUN conda run -p ${prefix} python -m pip install ${flags.join(' ')} ${PACKAGE_DIR}`,
    );
  }
  return lines;
}

/**
 * Longest RUN the prune step writes. The shell gets a RUN's whole text as one argument of `sh -c`,
 * and Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN) with E2BIG; half of it leaves
 * room for the builder's own wrapping. A traced variant's hundreds of globs take several RUNs.
 */
export const MAX_RUN_LENGTH = 64 * 1024;

/** The rules' commands joined with `&&`, one per line, in as few RUNs as `MAX_RUN_LENGTH` allows. */
function pruneRuns(commands: string[]): string[] {
  const runs: string[][] = [[]];
  let length = 0;
  for (const command of commands) {
    const current = runs[runs.length - 1]!;
    if (current.length > 0 && length + command.length + 8 > MAX_RUN_LENGTH) {
      runs.push([command]);
      length = command.length;
    } else {
      current.push(command);
      length += command.length + 8;
    }
  }
  return runs.map((run) => `RUN ${run.join(' \\\n && ')}`);
}

function pruneLines(rules: ResolvedRule[], prefix: string, where: string): string[] {
  if (rules.length === 0) return [`# No prune rules ${where}.`];
  return [
    `# Prune files not needed at run time ${where}. This happens in the builder: files deleted in`,
    '# the final stage would still ship in the copied layer. It comes after pip install, because',
    '# `conda run` writes __pycache__ again.',
    ...rules.map((rule) => `#   ${rule.id}: ${rule.title}`),
    ...pruneRuns(rules.map((rule) => pruneCommand(rule.selector, prefix))),
  ];
}

/**
 * `bytecode: compile`: after pruning, compile every module of the environment into unchecked-hash
 * pycs (never compared with the sources, which cannot change in an image), so the service does not
 * compile at each start. A file that does not compile (test data, Python 2 leftovers) stays source-only.
 */
function bytecodeLines(prune: PruneSettings, prefix: string): string[] {
  if (prune.bytecode !== 'compile') return [];
  const python = `${prefix}/bin/python`;
  return [
    '# bytecode: compile. Unchecked-hash pycs are used without comparing them with the sources, so',
    '# start-up does not compile or stat them; modules that do not compile stay source-only.',
    `RUN test -x ${python} || { echo 'bytecode compile needs ${python}: add python to environment.yml' >&2; exit 1; } \\`,
    ` && { ${python} -m compileall -q -j 0 --invalidation-mode unchecked-hash ${prefix}/lib \\`,
    `      || echo 'compileall: the files listed above do not compile; they run from source'; }`,
  ];
}

/** `files:` entries, copied from the build context and owned by the runtime user. */
function fileLines(files: ImageFile[], user: string | null): string[] {
  if (files.length === 0) return [];
  const chown = user ? `--chown=${user} ` : '';
  return [
    `# Your files (files: in condense.yml)${user ? `, owned by the runtime user ${user}` : ''}.`,
    ...files.map(
      (file) =>
        `COPY ${chown}${assertSafePath(file.from, 'files from')} ${assertSafePath(file.to, 'files to')}`,
    ),
  ];
}

function runtimeStage(
  recipe: Recipe,
  stageName: string,
  from: string,
  variables: Record<string, string> = {},
): string[] {
  const prefix = recipe.prefix;
  const lines = [
    '# Runtime stage: distroless, with no shell and no package manager.',
    `FROM ${recipe.runtimeImage} AS ${stageName}`,
    '# Same path as in the builder: conda environments are not relocatable.',
    `COPY --from=${from} ${prefix} ${prefix}`,
    ...fileLines(recipe.files, recipe.user),
  ];
  if (recipe.workdir) lines.push(`WORKDIR ${assertSafePath(recipe.workdir, 'workdir')}`);
  const fromEnvironment = Object.keys(variables)
    .filter((k) => recipe.env[k] === undefined)
    .sort();
  if (fromEnvironment.length > 0) {
    lines.push('# environment.yml "variables:" (conda sets them in the environment).');
    lines.push(
      `ENV ${fromEnvironment.map((k) => `${k}=${dockerfileQuote(variables[k]!)}`).join(' \\\n    ')}`,
    );
  }
  const env = { ...recipe.env };
  if (env.PATH === undefined) {
    // So `docker run IMAGE python ...` finds the environment's programs first.
    env.PATH = `${prefix}/bin:/usr/local/bin:/usr/bin:/bin`;
  }
  const envKeys = Object.keys(env).sort();
  lines.push(`ENV ${envKeys.map((k) => `${k}=${dockerfileQuote(env[k]!)}`).join(' \\\n    ')}`);
  const labelKeys = Object.keys(recipe.labels).sort();
  if (labelKeys.length > 0) {
    lines.push(
      `LABEL ${labelKeys.map((k) => `${dockerfileQuote(k)}=${dockerfileQuote(recipe.labels[k]!)}`).join(' \\\n      ')}`,
    );
  }
  if (recipe.port !== null) lines.push(`EXPOSE ${recipe.port}`);
  if (recipe.user) lines.push(`USER ${recipe.user}`);
  const command = commandOf(recipe.entrypoint, prefix, recipe.port);
  if (command) {
    lines.push('# Exec form: there is no shell in the runtime image to parse a command string.');
    lines.push(`CMD ${execForm(command)}`);
  }
  return lines;
}

/**
 * The Dockerfile of a recipe. Pure and deterministic: the same recipe and options give the same bytes.
 * The recipe is validated first; invalid input throws INVALID_INPUT naming the fields.
 */
export function generateDockerfile(input: Recipe, options: DockerfileOptions = {}): string {
  const recipe = validateRecipe(input);
  const variables = options.variables ?? {};
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name) || hasControlCharacter(value))
      throw new CondenseError(
        'INVALID_INPUT',
        `environment.yml variable "${name}" cannot be set in the image: use letters, digits and _ in the name and no control characters (new lines) in the value`,
      );
  }
  const variants = options.variants ?? recipe.variants;
  if (options.variants) validateRecipe({ ...input, variants: options.variants });
  const blocks: string[][] = [];
  const header = [
    '# Generated by Condense from condense.yml: change the recipe rather than this file.',
  ];
  if (options.syntax) {
    validateRecipe({ ...input, builderImage: options.syntax });
    header.unshift(`# syntax=${options.syntax}`);
  }
  blocks.push(header, builderStage(recipe, options.pip));
  const rules = (prune: PruneSettings) => resolvePrune(prune, recipe.platform);
  if (variants.length === 0) {
    blocks[1]!.push(
      ...pruneLines(rules(recipe.prune), recipe.prefix, 'in this image'),
      ...bytecodeLines(recipe.prune, recipe.prefix),
    );
    blocks.push(runtimeStage(recipe, targetStage(), BUILDER_STAGE, variables));
  } else {
    for (const variant of variants) {
      blocks.push([
        `# Variant ${variant.id}: its own prune step on top of the shared environment install.`,
        `FROM ${BUILDER_STAGE} AS ${pruneStage(variant.id)}`,
        ...pruneLines(rules(variant.prune), recipe.prefix, `in variant ${variant.id}`),
        ...bytecodeLines(variant.prune, recipe.prefix),
      ]);
    }
    for (const variant of variants) {
      blocks.push(runtimeStage(recipe, targetStage(variant.id), pruneStage(variant.id), variables));
    }
  }
  return `${blocks.map((block) => block.join('\n')).join('\n\n')}\n`;
}
