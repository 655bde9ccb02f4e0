import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { RecipeMethods } from '../../../shared/api/recipe';
import { PRUNE_PRESETS, PRUNE_RULES } from '../../../shared/recipe/catalog';
import type { Recipe } from '../../../shared/recipe/model';
import { customGlobProblem, validateRecipe } from '../../../shared/recipe/validate';
import { analyzeSavings, estimateGlobs } from '../analysis/savings-analysis';
import { cacheDir } from '../channels/channel-url';
import { exportProject } from '../export/export-service';
import type { JobManager } from '../jobs/job-manager';
import { environmentVariables } from '../project/environment-store';
import { generatedFiles } from './generated-files';
import { loadRecipe, readRecipeFile, writeRecipeFile } from './recipe-file';

export interface RecipeHandlerDeps {
  jobs: JobManager;
  /** User cache root for package file lists; defaults to `cacheDir()`. */
  cacheRoot?: string;
}

/** The project folder of a request from the (untrusted) renderer: absolute and existing. */
async function projectDirOf(request: unknown): Promise<string> {
  const dir = (request as { projectDir?: unknown } | undefined)?.projectDir;
  if (typeof dir !== 'string' || !isAbsolute(dir)) {
    throw new CondenseError(
      'INVALID_INPUT',
      'Say which project (projectDir, an absolute folder path).',
      {
        field: 'projectDir',
      },
    );
  }
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new CondenseError('NOT_FOUND', `No project folder at ${dir}`, { field: 'projectDir' });
  return dir;
}

/** The request's recipe when given (validated), else the project's condense.yml. */
async function recipeOf(request: { recipe?: unknown }, projectDir: string): Promise<Recipe> {
  return request.recipe === undefined ? loadRecipe(projectDir) : validateRecipe(request.recipe);
}

/** Handlers of `recipe:*`: condense.yml, the catalog, generated files, savings, export. */
export function createRecipeHandlers(
  deps: RecipeHandlerDeps,
): Pick<ApiHandlers, keyof RecipeMethods> {
  return {
    'recipe:get': async (request) => readRecipeFile(await projectDirOf(request)),
    'recipe:save': async (request) => {
      const projectDir = await projectDirOf(request);
      const base = (request as { baseRevision?: unknown }).baseRevision;
      if (typeof base !== 'string' || base === '') {
        throw new CondenseError(
          'INVALID_INPUT',
          'Say which condense.yml the change is based on (baseRevision, the revision recipe:get returned), so a hand edit is never overwritten.',
          { field: 'baseRevision' },
        );
      }
      return writeRecipeFile(projectDir, request.recipe, base);
    },
    'recipe:catalog': () =>
      Promise.resolve({
        rules: PRUNE_RULES.map((rule) => structuredClone(rule)),
        presets: {
          none: [...PRUNE_PRESETS.none],
          safe: [...PRUNE_PRESETS.safe],
          expert: [...PRUNE_PRESETS.expert],
        },
      }),
    'recipe:generate': async (request) => {
      const projectDir = await projectDirOf(request);
      return generatedFiles(
        await recipeOf(request, projectDir),
        await environmentVariables(projectDir),
      );
    },
    'recipe:analyze': async (request) => {
      const projectDir = await projectDirOf(request);
      const recipe = await recipeOf(request, projectDir);
      const cacheRoot = deps.cacheRoot ?? cacheDir();
      const { jobId, result } = deps.jobs.start('analyze', (job) =>
        analyzeSavings({
          projectDir,
          recipe,
          cacheRoot,
          signal: job.signal,
          onProgress: (message, fraction) =>
            job.emit('progress', fraction === undefined ? { message } : { message, fraction }),
        }),
      );
      // The outcome travels as job events; the promise itself needs no handler.
      result.catch(() => undefined);
      return { jobId };
    },
    'recipe:estimateGlobs': async (request) => {
      const projectDir = await projectDirOf(request);
      const globs: unknown = request.globs;
      if (
        !Array.isArray(globs) ||
        globs.length > 50 ||
        !globs.every((g) => typeof g === 'string')
      ) {
        throw new CondenseError(
          'INVALID_INPUT',
          'Give the globs to estimate as a list of paths (globs).',
          {
            field: 'globs',
          },
        );
      }
      for (const glob of globs) {
        const problem = customGlobProblem(glob);
        if (problem) {
          throw new CondenseError('INVALID_INPUT', `The prune glob "${glob}" ${problem}.`, {
            field: 'globs',
          });
        }
      }
      const recipe = await recipeOf(request, projectDir);
      return estimateGlobs(
        { projectDir, recipe, cacheRoot: deps.cacheRoot ?? cacheDir() },
        globs,
      );
    },
    'recipe:export': async (request) => {
      const projectDir = await projectDirOf(request);
      if (typeof request.dir !== 'string' || !isAbsolute(request.dir)) {
        throw new CondenseError(
          'INVALID_INPUT',
          'Choose the export folder (dir, an absolute path).',
          {
            field: 'dir',
          },
        );
      }
      return exportProject({ projectDir, dir: request.dir, force: request.force === true });
    },
  };
}
