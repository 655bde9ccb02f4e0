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
import { pipStepOptions } from '../pip/dockerfile-input';
import { environmentVariables } from '../project/environment-store';
import { projectFolder } from '../project/project-folder';
import { generatedFiles } from './generated-files';
import { loadRecipe, readRecipeFile, writeRecipeFile } from './recipe-file';

export interface RecipeHandlerDeps {
  jobs: JobManager;
  /** User cache root for package file lists; defaults to `cacheDir()`. */
  cacheRoot?: string;
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
    'recipe:get': async (request) => readRecipeFile(await projectFolder(request.projectDir)),
    'recipe:save': async (request) => {
      const projectDir = await projectFolder(request.projectDir);
      return writeRecipeFile(projectDir, request.recipe, request.baseRevision);
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
      const projectDir = await projectFolder(request.projectDir);
      const recipe = await recipeOf(request, projectDir);
      return generatedFiles(
        recipe,
        await environmentVariables(projectDir),
        await pipStepOptions(projectDir, recipe),
      );
    },
    'recipe:analyze': async (request) => {
      const projectDir = await projectFolder(request.projectDir);
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
      const projectDir = await projectFolder(request.projectDir);
      const { globs } = request;
      for (const glob of globs) {
        const problem = customGlobProblem(glob);
        if (problem) {
          throw new CondenseError('INVALID_INPUT', `The prune glob "${glob}" ${problem}.`, {
            field: 'globs',
          });
        }
      }
      const recipe = await recipeOf(request, projectDir);
      return estimateGlobs({ projectDir, recipe, cacheRoot: deps.cacheRoot ?? cacheDir() }, globs);
    },
    'recipe:export': async (request) => {
      const projectDir = await projectFolder(request.projectDir);
      return exportProject({ projectDir, dir: request.dir, force: request.force === true });
    },
  };
}
