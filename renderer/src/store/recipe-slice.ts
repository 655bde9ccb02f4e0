import { isCondenseError } from '../../../shared/api/errors';
import { VARIANT_ID } from '../../../shared/api/fields';
import type { SavingsReport } from '../../../shared/api/recipe';
import { RECIPE_MISSING_REVISION } from '../../../shared/api/recipe';
import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import type { Recipe } from '../../../shared/recipe/model';
import { customGlobProblem } from '../../../shared/recipe/validate';
import { describeError } from '../lib/format';
import * as helpers from './recipe-helpers';
import type { RecipeSlice, SliceCreator } from './types';

/** The live preview: generated in the renderer with the shared generator, so it follows every click. */
function preview(
  recipe: Recipe,
  variables: Record<string, string> = {},
): { dockerfile: string; recipeIssue?: string } {
  try {
    return { dockerfile: generateDockerfile(recipe, { variables }), recipeIssue: undefined };
  } catch (error) {
    return {
      dockerfile: '',
      recipeIssue: `The Dockerfile cannot be generated: ${describeError(error)}`,
    };
  }
}

export const createRecipeSlice: SliceCreator<RecipeSlice> =
  ({ api }) =>
  (set, get) => {
    const projectDir = () => get().project?.dir;
    // Saves go one at a time: each is based on the revision the previous one answered with, so the
    // app's own quick clicks never look like a hand edit to the service.
    let queue: Promise<void> = Promise.resolve();
    const store = async (dir: string, recipe: Recipe) => {
      // A newer change is queued (it carries this one) or the recipe was reloaded: nothing to write.
      if (get().recipe !== recipe || projectDir() !== dir) return;
      try {
        const saved = await api.call('recipe:save', {
          projectDir: dir,
          recipe,
          baseRevision: get().recipeRevision ?? RECIPE_MISSING_REVISION,
        });
        set({
          recipeRevision: saved.revision,
          recipeConflict: undefined,
          recipeOwnRevisions: [...get().recipeOwnRevisions.slice(-19), saved.revision],
        });
        // Only accept the answer if nothing newer was applied meanwhile.
        if (get().recipe === recipe) {
          set({
            recipe: saved.recipe,
            recipeIssues: saved.issues,
            ...preview(saved.recipe, get().environment?.variables),
          });
        }
      } catch (error) {
        if (isCondenseError(error) && error.code === 'CONFLICT') {
          const revision = error.details?.revision;
          set({
            recipeConflict: {
              message: error.message,
              ...(typeof revision === 'string' ? { revision } : {}),
            },
          });
        } else {
          set({ recipeError: describeError(error) });
        }
      }
    };
    // The screen updates at once (size bar and preview move with the click); the service then stores it.
    const save = (recipe: Recipe) => {
      const dir = projectDir();
      if (!dir) return Promise.resolve();
      set({
        recipe,
        recipeError: undefined,
        recipeSavesPending: get().recipeSavesPending + 1,
        ...preview(recipe, get().environment?.variables),
      });
      queue = queue
        .then(() => store(dir, recipe))
        .finally(() => set({ recipeSavesPending: get().recipeSavesPending - 1 }));
      return queue;
    };
    const setPrune = (change: (prune: Recipe['prune']) => Recipe['prune']) => {
      const { recipe, editingVariant } = get();
      if (!recipe) return Promise.resolve();
      const prune = change(helpers.pruneOf(recipe, editingVariant));
      return save(helpers.withPrune(recipe, editingVariant, prune));
    };
    return {
      recipeSaved: () => queue,
      dockerfile: '',
      recipeIssues: [],
      recipeVersion: 0,
      useBuildKit: true,
      recipeSavesPending: 0,
      recipeOwnRevisions: [],
      setUseBuildKit: (useBuildKit) => set({ useBuildKit }),
      refreshPreview() {
        const recipe = get().recipe;
        if (recipe) set(preview(recipe, get().environment?.variables));
      },
      async loadRecipe() {
        const dir = projectDir();
        if (!dir) return;
        try {
          const state = await api.call('recipe:get', { projectDir: dir });
          set({
            recipe: state.recipe,
            recipeIssues: state.issues,
            recipeRevision: state.revision,
            recipeConflict: undefined,
            // A reload keeps the variant being edited when it is still there.
            editingVariant: helpers.variantIds(state.recipe).includes(get().editingVariant ?? '')
              ? get().editingVariant
              : helpers.variantIds(state.recipe)[0],
            recipeError: undefined,
            recipeVersion: get().recipeVersion + 1,
            ...preview(state.recipe, get().environment?.variables),
          });
        } catch (error) {
          set({ recipeError: describeError(error) });
        }
      },
      async keepRecipeChange() {
        const { recipe, recipeConflict } = get();
        const dir = projectDir();
        if (!dir || !recipe || !recipeConflict) return;
        // The user chose to replace the file: base the save on the revision now on disk (read again
        // when the service did not say), so a further edit after this choice is still caught.
        let revision = recipeConflict.revision;
        if (revision === undefined) {
          try {
            revision = (await api.call('recipe:get', { projectDir: dir })).revision;
          } catch (error) {
            set({ recipeError: describeError(error) });
            return;
          }
        }
        set({ recipeRevision: revision, recipeConflict: undefined });
        queue = queue.then(() => store(dir, recipe));
        await queue;
      },
      async analyze() {
        const dir = projectDir();
        const { recipe, lockStatus } = get();
        // Estimates are measured on the locked packages: nothing to measure before a lock.
        if (!dir || !lockStatus?.locked) {
          set({ savings: undefined });
          return;
        }
        try {
          const { jobId } = await api.call('recipe:analyze', {
            projectDir: dir,
            ...(recipe ? { recipe } : {}),
          });
          get().trackJob(jobId, 'analyze');
          set({ analyzeJobId: jobId });
        } catch (error) {
          set({ recipeError: describeError(error) });
        }
      },
      analyzeFinished(jobId, result) {
        if (jobId === get().analyzeJobId) set({ savings: result as SavingsReport });
      },
      updateRecipe(patch) {
        const { recipe } = get();
        return recipe ? save({ ...recipe, ...patch }) : Promise.resolve();
      },
      toggleRule: (ruleId) => setPrune((prune) => helpers.toggleRule(prune, ruleId)),
      applyPreset: (preset) => setPrune((prune) => helpers.applyPreset(prune, preset)),
      addCustomRule(glob) {
        const trimmed = glob.trim();
        const problem = trimmed ? customGlobProblem(trimmed) : 'is empty';
        if (problem) {
          set({
            recipeError: `The custom prune glob "${trimmed}" ${problem}. Give a path inside the environment, e.g. lib/python3.11/site-packages/*/tests.`,
          });
          return Promise.resolve();
        }
        // The analysis measures custom globs too: run it again so the new rule shows its saving.
        return setPrune((prune) => helpers.withCustomGlob(prune, trimmed, true)).then(() =>
          get().analyze(),
        );
      },
      async estimateGlob(glob) {
        const trimmed = glob.trim();
        const projectDir = get().project?.dir;
        if (!trimmed || !projectDir || !get().savings) {
          set({ globEstimate: undefined });
          return;
        }
        const problem = customGlobProblem(trimmed);
        if (problem) {
          set({ globEstimate: { glob: trimmed, error: `This glob ${problem}.` } });
          return;
        }
        set({ globEstimate: { glob: trimmed } });
        try {
          const [saving] = await api.call('recipe:estimateGlobs', { projectDir, globs: [trimmed] });
          if (get().globEstimate?.glob === trimmed) {
            set({ globEstimate: { glob: trimmed, ...(saving ? { saving } : {}) } });
          }
        } catch (error) {
          if (get().globEstimate?.glob === trimmed) {
            set({ globEstimate: { glob: trimmed, error: describeError(error) } });
          }
        }
      },
      removeCustomRule: (glob) => setPrune((prune) => helpers.withCustomGlob(prune, glob, false)),
      selectVariant(id) {
        set({ editingVariant: id });
      },
      async addVariant(id) {
        const { recipe, editingVariant } = get();
        const trimmed = id.trim();
        if (!recipe) return;
        if (!VARIANT_ID.test(trimmed)) {
          set({
            recipeError: `"${id}" cannot name a variant: use 1 to 32 lowercase letters, digits or dashes, starting and ending with a letter or digit (it becomes part of an image tag).`,
          });
          return;
        }
        if (helpers.variantIds(recipe).includes(trimmed)) {
          set({ recipeError: `A variant named "${trimmed}" exists already: pick another name.` });
          return;
        }
        const next = helpers.addVariant(recipe, trimmed, editingVariant);
        set({ editingVariant: trimmed });
        await save(next);
      },
    };
  };
