import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { BuildStartRequest, VariantSpec } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { VARIANT_ID } from '../../../shared/api/fields';
import type { NetworkMode, ServiceCheckSpec } from '../../../shared/checks/model';
import { NETWORK_MODES } from '../../../shared/checks/model';
import type { ImageFile } from '../../../shared/recipe/model';
import { checkRecipe } from '../../../shared/recipe/validate';
import { loadRecipe } from '../recipe/recipe-file';
import { checkKeep } from './image-retention';
import { checkOwnPackage } from './preflight';
import { hasRecipe, recipeBuildInput } from './recipe-input';

/** Checks a request from an untrusted caller (the variants are checked by `selectVariants`). */
export function validateBuildRequest(request: BuildStartRequest): void {
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

/** Checks the variants (of the recipe or a given source) and picks those `only` names. */
export function selectVariants(given: VariantSpec[] | undefined, only?: string[]): VariantSpec[] {
  const variants = given?.length ? given : [{ id: 'default' }];
  const seen = new Set<string>();
  for (const variant of variants) {
    if (typeof variant?.id !== 'string' || !VARIANT_ID.test(variant.id)) {
      throw new CondenseError(
        'INVALID_INPUT',
        `Variant id "${String(variant?.id)}" is not valid: use lowercase letters, digits and dashes (at most 32).`,
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

/**
 * What a build is made from. Computed by the service from condense.yml (or the project's own
 * `Dockerfile` when it has no recipe); never part of a request. Service callers that build a
 * hand-written Dockerfile (the CLI's --dockerfile, benchmarks, tests) pass one to `buildProject`.
 */
export interface BuildSource {
  dockerfile: string;
  /** Hosts of pip indexes whose credentials the build gets as a BuildKit secret (never in a layer). */
  pipCredentialHosts?: string[];
  python?: string;
  classicDockerfile?: string;
  variants?: VariantSpec[];
  network?: NetworkMode;
  service?: ServiceCheckSpec & { port: number };
  files?: ImageFile[];
}

/** The Dockerfile and variants: from condense.yml, else `./Dockerfile` (one default variant). */
export async function projectBuildSource(projectDir: string): Promise<BuildSource> {
  if (hasRecipe(projectDir)) {
    const { recipe, ...input } = await recipeBuildInput(projectDir);
    // Refused before anything builds: a package pip cannot install, files that are not there.
    await checkOwnPackage(projectDir, recipe);
    return { ...input, files: recipe.files };
  }
  const path = join(projectDir, 'Dockerfile');
  if (!existsSync(path)) {
    throw new CondenseError(
      'NOT_FOUND',
      `Nothing to build in ${projectDir}: no condense.yml and no Dockerfile. Create the recipe (condense init) first.`,
    );
  }
  return { dockerfile: await readFile(path, 'utf8') };
}
