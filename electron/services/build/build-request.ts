import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';

import type { BuildStartRequest, VariantSpec } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { NETWORK_MODES } from '../../../shared/checks/model';
import type { ImageFile } from '../../../shared/recipe/model';
import { checkRecipe } from '../../../shared/recipe/validate';
import { loadRecipe } from '../recipe/recipe-file';
import { checkKeep } from './image-retention';
import { checkOwnPackage } from './preflight';
import { hasRecipe, recipeBuildInput } from './recipe-input';

const VARIANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Checks a request from an untrusted caller (the variants are checked by `selectVariants`). */
export function validateBuildRequest(request: BuildStartRequest): void {
  if (typeof request?.projectDir !== 'string' || !isAbsolute(request.projectDir)) {
    throw new CondenseError('INVALID_INPUT', 'projectDir must be an absolute folder path.');
  }
  if (!existsSync(request.projectDir) || !statSync(request.projectDir).isDirectory()) {
    throw new CondenseError(
      'NOT_FOUND',
      `The project folder ${request.projectDir} does not exist.`,
    );
  }
  if (
    request.repository !== undefined &&
    !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(request.repository)
  ) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Image repository "${request.repository}" is not valid: lowercase letters, digits, . _ - and /.`,
    );
  }
  const { concurrency } = request;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8)
  ) {
    throw new CondenseError('INVALID_INPUT', 'concurrency must be a whole number from 1 to 8.');
  }
  checkKeep(request.keepBuilds, 'keepBuilds');
  if (request.network !== undefined && !NETWORK_MODES.includes(request.network)) {
    throw new CondenseError('INVALID_INPUT', 'network must be default, host or none.');
  }
  const seconds = request.smoke?.commandTimeoutSeconds;
  if (seconds !== undefined && !(typeof seconds === 'number' && seconds >= 1 && seconds <= 3600)) {
    throw new CondenseError('INVALID_INPUT', 'smoke.commandTimeoutSeconds must be 1 to 3600.');
  }
  if (request.service !== undefined) {
    // The same rules as service: in condense.yml.
    const { port, ...service } = (request.service ?? {}) as Partial<
      BuildStartRequest['service'] & object
    >;
    const { issues } = checkRecipe({ port, service });
    if (issues.length > 0) {
      throw new CondenseError(
        'INVALID_INPUT',
        `service: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      );
    }
  }
}

/** The request's service check, normalized as condense.yml's would be (validated already). */
export function requestedService(
  requested: NonNullable<BuildStartRequest['service']>,
): NonNullable<BuildStartRequest['service']> {
  const { port, ...service } = requested;
  return { ...checkRecipe({ port, service }).recipe.service!, port };
}

/** Checks the variants (from the request or the recipe) and picks those `only` names. */
export function selectVariants(given: VariantSpec[] | undefined, only?: string[]): VariantSpec[] {
  const variants = given?.length ? given : [{ id: 'default' }];
  const seen = new Set<string>();
  for (const variant of variants) {
    if (typeof variant?.id !== 'string' || !VARIANT_ID.test(variant.id)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `Variant id "${String(variant?.id)}" is not valid: use letters, digits, -, _ and . (at most 63).`,
      );
    }
    if (seen.has(variant.id)) {
      throw new CondenseError('INVALID_INPUT', `Variant "${variant.id}" is listed twice.`);
    }
    seen.add(variant.id);
    if (variant.target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(variant.target)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `Target stage "${variant.target}" is not a stage name.`,
      );
    }
  }
  const unknown = (only ?? []).filter((id) => !seen.has(id));
  if (unknown.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `Unknown variant ${unknown.join(', ')}: the recipe has ${[...seen].join(', ')}.`,
    );
  }
  return only?.length ? variants.filter((v) => only.includes(v.id)) : variants;
}

/**
 * The hash of the lockfile a recipe installs, which names the image's SBOM (`condense sbom`); none
 * for a project without a recipe or a lock.
 */
export async function recipeLockHash(projectDir: string): Promise<string | undefined> {
  if (!hasRecipe(projectDir)) return undefined;
  try {
    const recipe = await loadRecipe(projectDir);
    const text = await readFile(join(projectDir, recipe.lockfile));
    return createHash('sha256').update(text).digest('hex');
  } catch {
    return undefined; // the build itself reports a missing lock or a bad recipe
  }
}

/** `condense/<project folder>` in the characters Docker allows. */
export function defaultRepository(projectDir: string): string {
  const name = basename(projectDir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `condense/${name || 'project'}`;
}

export interface BuildInput {
  dockerfile: string;
  python?: string;
  classicDockerfile?: string;
  variants?: VariantSpec[];
  network?: NetworkMode;
  service?: ServiceCheckSpec & { port: number };
  files?: ImageFile[];
}

/** The Dockerfile and variants: given in the request, else from condense.yml, else `./Dockerfile`. */
export async function buildInput(request: BuildStartRequest): Promise<BuildInput> {
  const fromRecipe = hasRecipe(request.projectDir);
  if (request.dockerfile) {
    // The Image screen sends the Dockerfile it generated from the saved condense.yml: the recipe's
    // checks (network, service, files, own package) still apply. A hand-written Dockerfile beside an
    // unreadable recipe builds without them.
    const settings = fromRecipe
      ? await recipeBuildInput(request.projectDir).catch(() => undefined)
      : undefined;
    if (settings) await checkOwnPackage(request.projectDir, settings.recipe);
    const copied = (settings?.recipe.files ?? []).filter((f) =>
      request.dockerfile!.includes(` ${f.from} ${f.to}`),
    );
    return {
      dockerfile: request.dockerfile,
      ...(request.classicDockerfile ? { classicDockerfile: request.classicDockerfile } : {}),
      ...(request.variants ? { variants: request.variants } : {}),
      ...(settings
        ? {
            python: settings.python,
            network: settings.network,
            files: copied,
            ...(settings.service ? { service: settings.service } : {}),
          }
        : {}),
    };
  }
  if (fromRecipe) {
    const { recipe, ...input } = await recipeBuildInput(request.projectDir);
    // Refused before anything builds: a package pip cannot install, files that are not there.
    await checkOwnPackage(request.projectDir, recipe);
    return { ...input, files: recipe.files, variants: request.variants ?? input.variants };
  }
  const path = join(request.projectDir, 'Dockerfile');
  if (!existsSync(path)) {
    throw new CondenseError(
      'NOT_FOUND',
      `Nothing to build in ${request.projectDir}: no condense.yml and no Dockerfile. Create the recipe (condense init) first.`,
    );
  }
  return {
    dockerfile: await readFile(path, 'utf8'),
    ...(request.variants ? { variants: request.variants } : {}),
  };
}
