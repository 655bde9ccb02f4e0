import { z } from 'zod';

import type { PruneRule } from '../recipe/catalog';
import type { PrunePresetId, Recipe } from '../recipe/model';
import type { RuleSaving } from '../recipe/savings';
import type { PackageSpace } from '../recipe/space';
import type { RecipeIssue } from '../recipe/validate';
import { checkRecipe } from '../recipe/validate';
import type { VariantSpec } from './build';
import { absolutePath, list, noFields, projectDir, shortText } from './fields';
import type { JobStarted } from './jobs';
import type { RequestSchemas } from './schema';

export type { PrunePresetId, PruneRule, Recipe, RecipeIssue, RuleSaving };

/** A project's recipe as stored in condense.yml, defaults filled in. */
export interface RecipeState {
  recipe: Recipe;
  /** False when the project has no condense.yml yet (the recipe is the defaults). */
  exists: boolean;
  /** Problems of the stored file, each naming its field; empty when valid. */
  issues: RecipeIssue[];
  /**
   * sha256 (hex) of condense.yml's bytes as read, or `RECIPE_MISSING_REVISION` when there is no file.
   * `recipe:save` takes it back as `baseRevision` so a hand edit made meanwhile is never overwritten.
   */
  revision: string;
}

/** The `revision` of a project without condense.yml. */
export const RECIPE_MISSING_REVISION = 'missing';

/** The prune rule catalog and presets, for the toggles of the Image screen. */
export interface PruneCatalog {
  rules: PruneRule[];
  presets: Record<PrunePresetId, string[]>;
}

/** The generated build files of a recipe. */
export interface GeneratedFiles {
  /** For BuildKit (cache mount when the recipe asks for it). */
  dockerfile: string;
  /** The same recipe for the classic builder (no `RUN --mount`, `conda clean -afy`). */
  classicDockerfile: string;
  dockerignore: string;
  /** What `build:start` takes as `variants`: one per recipe variant, or the single image. */
  variants: VariantSpec[];
}

/** Savings of one selection of rules (a recipe's prune setting or a variant's). */
export interface SelectionSaving {
  /** `recipe` for the recipe's own prune setting, else the variant id. */
  id: string;
  ruleIds: string[];
  /** Bytes removed, each file counted once even when several rules match it. */
  bytes: number;
  files: number;
}

/** What `recipe:analyze` returns: the `done` data of its job. */
export interface SavingsReport {
  lockfile: string;
  packages: number;
  /** Packages whose file list came from the local cache. */
  cachedPackages: number;
  pythonVersion?: string;
  /** The environment before pruning, from the packages' paths.json. */
  environmentBytes: number;
  environmentFiles: number;
  /** Every catalog rule (and the recipe's custom globs) with what it would remove. */
  rules: (RuleSaving & { selected: boolean })[];
  selections: SelectionSaving[];
  /**
   * The environment by package and folder with what each rule (catalog and custom) removes in every
   * folder: installed sizes on the Lock screen, the "environment by size" treemap.
   */
  space?: PackageSpace[];
  /** Bytes of the recipe's `files:` entries, copied into the image on top of the environment. */
  filesBytes?: number;
  /** Things the estimate cannot see (packages without paths.json...). */
  warnings: string[];
}

/** What `recipe:export` wrote. */
export interface ExportResult {
  dir: string;
  /** Paths relative to `dir`. */
  files: string[];
}

export interface RecipeMethods {
  /** Reads condense.yml (defaults when missing); problems are listed, not thrown. */
  'recipe:get': { request: { projectDir: string }; response: RecipeState };
  /**
   * Validates and writes condense.yml, keeping the user's comments; INVALID_INPUT names the fields.
   * CONFLICT (details.revision: the file's revision now) when the file no longer has `baseRevision`,
   * the revision the caller read: nothing is written, so a hand edit made meanwhile survives.
   */
  'recipe:save': {
    request: { projectDir: string; recipe: Recipe; baseRevision: string };
    response: RecipeState;
  };
  'recipe:catalog': { request: Record<string, never>; response: PruneCatalog };
  /** Generates the Dockerfile and .dockerignore; from `recipe` when given, else condense.yml. */
  'recipe:generate': {
    request: { projectDir: string; recipe?: Recipe };
    response: GeneratedFiles;
  };
  /** Starts a job estimating every rule's saving from the locked packages' file lists. */
  'recipe:analyze': { request: { projectDir: string; recipe?: Recipe }; response: JobStarted };
  /**
   * What custom prune globs (relative to the prefix) would remove from the locked environment, one
   * RuleSaving each (`custom:<glob>`); quick after the first call while the lockfile is unchanged.
   */
  'recipe:estimateGlobs': {
    request: { projectDir: string; globs: string[]; recipe?: Recipe };
    response: RuleSaving[];
  };
  /**
   * Writes Dockerfile, .dockerignore, environment.yml, lockfiles and a README into `dir`; ALREADY_EXISTS
   * unless `force` when a file is there.
   */
  'recipe:export': {
    request: { projectDir: string; dir: string; force?: boolean };
    response: ExportResult;
  };
}

/**
 * A recipe in a request: checked by the recipe's own validator (`checkRecipe`, which knows every
 * field's rule and names it), its problems reported as issues of the request's `recipe` field.
 */
export const recipeSchema = z.unknown().transform((value, ctx): Recipe => {
  const { recipe, issues } = checkRecipe(value);
  for (const issue of issues) {
    ctx.addIssue({
      code: 'custom',
      message: issue.message,
      path: issue.field
        .split(/[.[\]]+/)
        .filter(Boolean)
        .map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
    });
  }
  return recipe;
});

const recipeProject = { projectDir };

export const recipeSchemas = {
  'recipe:get': z.strictObject(recipeProject),
  'recipe:save': z.strictObject({
    ...recipeProject,
    recipe: recipeSchema,
    baseRevision: shortText(128).min(1, 'is empty: pass the revision recipe:get returned'),
  }),
  'recipe:catalog': noFields,
  'recipe:generate': z.strictObject({ ...recipeProject, recipe: recipeSchema.optional() }),
  'recipe:analyze': z.strictObject({ ...recipeProject, recipe: recipeSchema.optional() }),
  'recipe:estimateGlobs': z.strictObject({
    ...recipeProject,
    globs: list(shortText(1024), 50),
    recipe: recipeSchema.optional(),
  }),
  'recipe:export': z.strictObject({
    ...recipeProject,
    dir: absolutePath,
    force: z.boolean().optional(),
  }),
} satisfies RequestSchemas<keyof RecipeMethods>;
