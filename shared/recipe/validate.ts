import { CondenseError } from '../api/errors';
import { VARIANT_ID } from '../api/fields';
import { formatSize } from '../format/size';
import { findRule, PRUNE_PRESETS, PRUNE_RULES } from './catalog';
import { customGlobProblem } from './guards';
import type {
  Entrypoint,
  PackageSpec,
  PipSettings,
  PrunePresetId,
  PruneSettings,
  Recipe,
  RecipePlatform,
  Variant,
} from './model';
import { defaultPipSettings, defaultRecipe, RECIPE_PLATFORMS } from './model';
import { hasControlCharacter } from './quote';
import { bytecodeMode, imageFiles, networkMode, serviceCheck } from './validate-runtime';
import { traceSettings } from './validate-trace';

/** One problem in a recipe: the field (dotted path) and what to do. */
export interface RecipeIssue {
  field: string;
  message: string;
}

// Kept here too: callers have imported it from validate.ts since before the guards had a file.
export { customGlobProblem };

type Raw = Record<string, unknown>;

const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REF = new RegExp(
  `^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*` +
    `(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`,
);
const ABS_PATH = /^(?:\/[A-Za-z0-9_][A-Za-z0-9._+@-]*)+$/;
const REL_PATH = /^(?:\.|[A-Za-z0-9_][A-Za-z0-9._+@-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._+@-]*)*)$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+@-]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
const USER = /^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})(?::(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}))?$/;
const BIND = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):[0-9]{1,5}$|^unix:\/[A-Za-z0-9._/-]+$/;
// The environment must not replace what the builder or runtime image needs to run.
const RESERVED_PREFIXES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/pkg',
];

class Collector {
  readonly issues: RecipeIssue[] = [];
  add(field: string, message: string): void {
    this.issues.push({ field, message });
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(c: Collector, field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    c.add(field, `must be a string, got ${typeof value}`);
    return fallback;
  }
  if (hasControlCharacter(value)) {
    c.add(field, 'must not contain newlines or other control characters');
    return fallback;
  }
  if (value.length > MAX_VALUE_LENGTH) {
    c.add(
      field,
      `is ${formatSize(value.length)} long; Dockerfile lines are limited to 64 KiB (BuildKit), so values may be at most ${formatSize(MAX_VALUE_LENGTH)}: put long data in a file instead`,
    );
    return fallback;
  }
  return value;
}

function pattern(c: Collector, field: string, value: string, re: RegExp, hint: string): void {
  if (!re.test(value)) c.add(field, `"${value}" is not valid: ${hint}`);
}

function textList(c: Collector, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    c.add(field, 'must be a list of strings');
    return [];
  }
  return value.map((item, i) => text(c, `${field}[${i}]`, item, ''));
}

function stringMap(
  c: Collector,
  field: string,
  value: unknown,
  keyRe: RegExp,
  keyHint: string,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    c.add(field, 'must be a mapping of names to strings');
    return {};
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(value).sort()) {
    if (!keyRe.test(key)) c.add(`${field}.${key}`, `"${key}" is not a valid name: ${keyHint}`);
    const raw = value[key];
    const item = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
    out[key] = text(c, `${field}.${key}`, item, '');
  }
  return out;
}

/** Longest text value accepted: BuildKit reads a Dockerfile line of at most 64 KiB, quoting may double it. */
export const MAX_VALUE_LENGTH = 16 * 1024;

/** Longest `reason:` of a custom rule: one line for the Image screen. */
export const MAX_REASON_LENGTH = 500;

interface CustomEntries {
  custom: string[];
  force: string[];
  reasons: Record<string, string>;
}

function reasonText(c: Collector, field: string, value: unknown): string | undefined {
  const reason = text(c, field, value, '');
  if (reason.length > MAX_REASON_LENGTH)
    c.add(field, `is ${reason.length} characters long; at most ${MAX_REASON_LENGTH}`);
  return reason && reason.length <= MAX_REASON_LENGTH ? reason : undefined;
}

/**
 * `custom` entries: a glob, or `{glob, reason, force: true}` (`force` waives the top-level and
 * share guards, `reason` says why the glob is there). `force:` and `reasons:` beside `custom` say the
 * same as lists (the form the app's own requests use).
 */
function customEntries(
  c: Collector,
  field: string,
  raw: unknown,
  forcedList: unknown,
  reasonMap: unknown,
): CustomEntries {
  const force = new Set(textList(c, field.replace(/custom$/, 'force'), forcedList));
  const reasonsField = field.replace(/custom$/, 'reasons');
  const reasons = new Map<string, string>();
  if (reasonMap !== undefined && reasonMap !== null) {
    if (!isObject(reasonMap)) c.add(reasonsField, 'must be a mapping of globs to reasons');
    else
      for (const [glob, value] of Object.entries(reasonMap)) {
        const reason = reasonText(c, `${reasonsField}.${glob}`, value);
        if (reason !== undefined) reasons.set(glob, reason);
      }
  }
  if (raw === undefined) return { custom: [], force: [...force], reasons: {} };
  if (!Array.isArray(raw)) {
    c.add(field, 'must be a list of globs (or {glob, reason, force: true})');
    return { custom: [], force: [], reasons: {} };
  }
  const custom: string[] = [];
  raw.forEach((item: unknown, i) => {
    if (isObject(item)) {
      const glob = text(c, `${field}[${i}].glob`, item.glob, '');
      if (item.force !== undefined && typeof item.force !== 'boolean')
        c.add(`${field}[${i}].force`, 'must be true or false');
      for (const key of Object.keys(item))
        if (!['glob', 'force', 'reason'].includes(key))
          c.add(`${field}[${i}].${key}`, 'unknown field; a custom rule has glob, reason and force');
      if (item.force === true) force.add(glob);
      if (item.reason !== undefined && item.reason !== null) {
        const reason = reasonText(c, `${field}[${i}].reason`, item.reason);
        if (reason !== undefined) reasons.set(glob, reason);
      }
      custom.push(glob);
    } else custom.push(text(c, `${field}[${i}]`, item, ''));
  });
  return {
    custom,
    // In custom's order, however the file spread them over `force:` and `force: true`.
    force: [...new Set(custom)].filter((g) => force.has(g)),
    // Object.fromEntries makes own properties, so a glob named like `__proto__` stays a key.
    reasons: Object.fromEntries([...reasons].filter(([g]) => custom.includes(g))),
  };
}

function pruneSettings(c: Collector, field: string, value: unknown): PruneSettings {
  const raw = value === undefined ? {} : value;
  if (!isObject(raw)) {
    c.add(field, 'must be a mapping with preset, add, remove, custom');
    return { preset: 'none', add: [], remove: [], custom: [] };
  }
  const preset = text(c, `${field}.preset`, raw.preset, 'safe');
  if (!(preset in PRUNE_PRESETS))
    c.add(`${field}.preset`, `"${preset}" is not a preset; use none, safe or expert`);
  const ids = (key: 'add' | 'remove') => {
    const list = textList(c, `${field}.${key}`, raw[key]);
    list.forEach((id, i) => {
      if (!findRule(id))
        c.add(
          `${field}.${key}[${i}]`,
          `unknown rule "${id}"; known rules: ${PRUNE_RULES.map((r) => r.id).join(', ')}`,
        );
    });
    return [...new Set(list)];
  };
  const { custom, force, reasons } = customEntries(
    c,
    `${field}.custom`,
    raw.custom,
    raw.force,
    raw.reasons,
  );
  custom.forEach((glob, i) => {
    const problem = customGlobProblem(glob, force.includes(glob));
    if (problem) c.add(`${field}.custom[${i}]`, `"${glob}" ${problem}`);
  });
  const bytecode = bytecodeMode(c, `${field}.bytecode`, raw.bytecode);
  return {
    preset: (preset in PRUNE_PRESETS ? preset : 'none') as PrunePresetId,
    add: ids('add'),
    remove: ids('remove'),
    custom: [...new Set(custom)],
    ...(force.length ? { force } : {}),
    ...(Object.keys(reasons).length ? { reasons } : {}),
    ...(bytecode ? { bytecode } : {}),
  };
}

function packageSpec(c: Collector, value: unknown): PackageSpec | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    c.add('package', 'must be a mapping with path (and noBuildIsolation), or null');
    return null;
  }
  const path = text(c, 'package.path', value.path, '.');
  pattern(
    c,
    'package.path',
    path,
    REL_PATH,
    'a folder inside the project, like "." or "src/mypkg"',
  );
  const noBuildIsolation = value.noBuildIsolation ?? true;
  if (typeof noBuildIsolation !== 'boolean')
    c.add('package.noBuildIsolation', 'must be true or false');
  return { path, noBuildIsolation: noBuildIsolation === true };
}

function entrypoint(c: Collector, value: unknown): Entrypoint {
  if (value === undefined || value === null) return { preset: 'none' };
  if (!isObject(value)) {
    c.add(
      'entrypoint',
      'must be a mapping with a preset (gunicorn, module, script, command, none)',
    );
    return { preset: 'none' };
  }
  const preset = text(c, 'entrypoint.preset', value.preset, 'none');
  const args = textList(c, 'entrypoint.args', value.args);
  switch (preset) {
    case 'gunicorn': {
      const app = text(c, 'entrypoint.app', value.app, '');
      pattern(
        c,
        'entrypoint.app',
        app,
        /^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/,
        'write module:attribute, like my_service.serve:app',
      );
      // Without a bind, gunicorn binds the recipe's port (see `commandOf`).
      const bind =
        value.bind === undefined || value.bind === null
          ? undefined
          : text(c, 'entrypoint.bind', value.bind, '');
      if (bind !== undefined)
        pattern(c, 'entrypoint.bind', bind, BIND, 'write host:port, like 0.0.0.0:8000');
      const workers = value.workers ?? undefined;
      if (
        workers !== undefined &&
        (!Number.isInteger(workers) || (workers as number) < 1 || (workers as number) > 256)
      )
        c.add('entrypoint.workers', 'must be a whole number from 1 to 256');
      return {
        preset,
        app,
        ...(bind !== undefined ? { bind } : {}),
        ...(typeof workers === 'number' ? { workers } : {}),
        args,
      };
    }
    case 'module': {
      const module = text(c, 'entrypoint.module', value.module, '');
      pattern(
        c,
        'entrypoint.module',
        module,
        DOTTED,
        'a dotted Python module name, like my_service.main',
      );
      return { preset, module, args };
    }
    case 'script': {
      const script = text(c, 'entrypoint.script', value.script, '');
      pattern(
        c,
        'entrypoint.script',
        script,
        ABS_PATH,
        'an absolute path inside the image, like /app/main.py',
      );
      return { preset, script, args };
    }
    case 'command': {
      const command = textList(c, 'entrypoint.command', value.command);
      if (command.length === 0 || command[0] === '')
        c.add(
          'entrypoint.command',
          'must list the program and its arguments, like [/env/bin/python, -m, app]',
        );
      return { preset, command };
    }
    case 'none':
      return { preset };
    default:
      c.add(
        'entrypoint.preset',
        `"${preset}" is not a preset; use gunicorn, module, script, command or none`,
      );
      return { preset: 'none' };
  }
}

function variants(c: Collector, value: unknown): Variant[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    c.add('variants', 'must be a list of {id, prune}');
    return [];
  }
  const seen = new Set<string>();
  return value.map((item, i) => {
    const raw = isObject(item) ? item : {};
    if (!isObject(item)) c.add(`variants[${i}]`, 'must be a mapping with id and prune');
    const id = text(c, `variants[${i}].id`, raw.id, '');
    pattern(
      c,
      `variants[${i}].id`,
      id,
      VARIANT_ID,
      'lowercase letters, digits and dashes, at most 32',
    );
    if (seen.has(id)) c.add(`variants[${i}].id`, `"${id}" is used by another variant`);
    seen.add(id);
    const prune = pruneSettings(c, `variants[${i}].prune`, raw.prune);
    // `bytecode:` beside `prune:` is the same setting as `prune.bytecode`.
    const bytecode = bytecodeMode(c, `variants[${i}].bytecode`, raw.bytecode);
    return { id, prune: bytecode && !prune.bytecode ? { ...prune, bytecode } : prune };
  });
}

/** Checks a recipe (from condense.yml or the UI; missing fields take defaults) and lists every problem. */
export function checkRecipe(input: unknown): { recipe: Recipe; issues: RecipeIssue[] } {
  const c = new Collector();
  const d = defaultRecipe();
  const raw: Raw = isObject(input) ? input : {};
  if (!isObject(input)) c.add('(recipe)', 'must be a mapping of fields');
  const known = new Set([...Object.keys(d), 'trace']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) c.add(key, `unknown field; known fields: ${[...known].join(', ')}`);
  }
  const builderImage = text(c, 'builderImage', raw.builderImage, d.builderImage);
  pattern(
    c,
    'builderImage',
    builderImage,
    IMAGE_REF,
    'an image reference like condaforge/miniforge3:24.11.3-0',
  );
  const runtimeImage = text(c, 'runtimeImage', raw.runtimeImage, d.runtimeImage);
  pattern(
    c,
    'runtimeImage',
    runtimeImage,
    IMAGE_REF,
    'an image reference like gcr.io/distroless/base-debian12:nonroot',
  );
  const platform = text(c, 'platform', raw.platform, d.platform);
  if (!(RECIPE_PLATFORMS as readonly string[]).includes(platform))
    c.add('platform', `"${platform}" is not supported; use ${RECIPE_PLATFORMS.join(', ')}`);
  const prefix = text(c, 'prefix', raw.prefix, d.prefix);
  pattern(c, 'prefix', prefix, ABS_PATH, 'an absolute path like /env, without .. or spaces');
  if (
    RESERVED_PREFIXES.some((p) => prefix === p || (p !== '/opt' && prefix.startsWith(`${p}/`))) ||
    prefix.startsWith('/opt/conda')
  )
    c.add(
      'prefix',
      `"${prefix}" would overwrite system files of the images; use a folder of its own like /env`,
    );
  const lockfile = text(c, 'lockfile', raw.lockfile, d.lockfile);
  pattern(
    c,
    'lockfile',
    lockfile,
    FILE_NAME,
    'a file name in the project folder, like conda-linux-64.lock',
  );
  const workdir = raw.workdir === null ? null : text(c, 'workdir', raw.workdir, '') || null;
  if (workdir !== null) pattern(c, 'workdir', workdir, ABS_PATH, 'an absolute path like /app');
  let port: number | null = null;
  if (raw.port !== undefined && raw.port !== null) {
    if (!Number.isInteger(raw.port) || (raw.port as number) < 1 || (raw.port as number) > 65535)
      c.add('port', `must be a whole number from 1 to 65535, got ${JSON.stringify(raw.port)}`);
    else port = raw.port as number;
  }
  const user = raw.user === null ? null : text(c, 'user', raw.user, d.user ?? '');
  if (user !== null)
    pattern(c, 'user', user, USER, 'a user name or uid, optionally :group, like 65532:65532');
  const buildkitCache = raw.buildkitCache ?? d.buildkitCache;
  if (typeof buildkitCache !== 'boolean') c.add('buildkitCache', 'must be true or false');
  const recipe: Recipe = {
    builderImage,
    runtimeImage,
    platform: platform as RecipePlatform,
    prefix,
    lockfile,
    package: packageSpec(c, raw.package),
    entrypoint: entrypoint(c, raw.entrypoint),
    workdir,
    port,
    env: stringMap(c, 'env', raw.env, ENV_KEY, 'letters, digits and _, not starting with a digit'),
    user: user || null,
    labels: stringMap(
      c,
      'labels',
      raw.labels,
      LABEL_KEY,
      'lowercase reverse-DNS, like org.opencontainers.image.title',
    ),
    buildkitCache: buildkitCache === true,
    prune: pruneSettings(c, 'prune', raw.prune),
    variants: variants(c, raw.variants),
    pip: pipSettings(c, raw.pip),
    files: imageFiles(c, raw.files, prefix),
    service: serviceCheck(c, raw.service),
    network: networkMode(c, raw.network),
  };
  const trace = traceSettings(c, raw.trace);
  if (trace) recipe.trace = trace;
  const bind = recipe.entrypoint.preset === 'gunicorn' ? recipe.entrypoint.bind : undefined;
  const bindPort = bind && /:([0-9]+)$/.exec(bind)?.[1];
  if (bindPort && recipe.port !== null && Number(bindPort) !== recipe.port)
    c.add(
      'entrypoint.bind',
      `"${bind}" listens on ${bindPort} but port is ${recipe.port}: leave bind out to bind the port`,
    );
  if (recipe.service && recipe.port === null)
    c.add('service', 'needs a port: set port to the one your service listens on');
  return { recipe, issues: c.issues };
}

function pipSettings(c: Collector, value: unknown): PipSettings {
  const settings = defaultPipSettings();
  if (value === undefined || value === null) return settings;
  if (typeof value !== 'object' || Array.isArray(value)) {
    c.add('pip', 'must be a mapping with sdist and extraIndexUrls');
    return settings;
  }
  const raw = value as Record<string, unknown>;
  if (raw.sdist !== undefined) {
    if (raw.sdist === 'refuse' || raw.sdist === 'build') settings.sdist = raw.sdist;
    else c.add('pip.sdist', `must be "refuse" or "build", got ${JSON.stringify(raw.sdist)}`);
  }
  if (raw.extraIndexUrls !== undefined) {
    if (!Array.isArray(raw.extraIndexUrls))
      c.add('pip.extraIndexUrls', 'must be a list of index URLs');
    else
      for (const url of raw.extraIndexUrls) {
        if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))
          c.add('pip.extraIndexUrls', `${JSON.stringify(url)} is not an http(s) URL`);
        else if (
          /\/\/[^/@]*[^}/@]@/.test(url) &&
          !/\/\/(\$\{[A-Za-z0-9_]+\}(:\$\{[A-Za-z0-9_]+\})?)@/.test(url)
        )
          c.add(
            'pip.extraIndexUrls',
            'credentials do not belong in condense.yml: write ${VAR} (from your environment) or use ~/.netrc',
          );
        else settings.extraIndexUrls.push(url);
      }
  }
  return settings;
}

/** Returns the valid recipe or throws INVALID_INPUT naming every bad field. */
export function validateRecipe(input: unknown): Recipe {
  const { recipe, issues } = checkRecipe(input);
  if (issues.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `The recipe has ${issues.length} problem${issues.length > 1 ? 's' : ''}: ${issues
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ')}`,
      { issues },
    );
  }
  return recipe;
}
