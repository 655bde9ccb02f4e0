import { validate } from '../../../shared/api/validate';
import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import { generateDockerignore } from '../../../shared/recipe/dockerignore';
import { assertCustomGlobs } from '../../services/analysis/prune-guard';
import { cacheDir } from '../../services/channels/channel-url';
import { pipStepOptions } from '../../services/pip/dockerfile-input';
import { environmentVariables } from '../../services/project/environment-store';
import { loadRecipe } from '../../services/recipe/recipe-file';
import type { CliCommand } from '../command';
import { PRUNE_OPTIONS, pruneOptionsRecipe } from './recipe-options';

/** `condense dockerfile`: prints the generated Dockerfile (or .dockerignore) of the project's recipe. */
export const dockerfileCommand: CliCommand = {
  usage:
    'dockerfile [--preset none|safe|expert] [--rule ID]... [--no-rule ID]... [--classic] [--dockerignore]',
  options: {
    ...PRUNE_OPTIONS,
    classic: { type: 'boolean' },
    dockerignore: { type: 'boolean' },
  },
  async run(context, values) {
    const saved = await loadRecipe(context.projectDir);
    const tried = pruneOptionsRecipe(saved, values);
    // --classic is the recipe's buildkitCache: false, so it travels in the request's recipe too.
    const given = values.classic
      ? { ...(tried.recipe ?? saved), buildkitCache: false }
      : tried.recipe;
    // The contract's schema, as the app's door applies it (recipe:generate): a bad --preset or
    // --rule is refused naming the recipe field.
    const request = validate('recipe:generate', {
      projectDir: context.projectDir,
      ...(given ? { recipe: given } : {}),
    });
    if (tried.note) context.progress(tried.note);
    const { projectDir } = request;
    const recipe = request.recipe ?? saved;
    await assertCustomGlobs(projectDir, recipe, cacheDir());
    if (values.dockerignore) {
      context.out(generateDockerignore(recipe));
      return 0;
    }
    const pip = await pipStepOptions(projectDir, recipe);
    const text = generateDockerfile(recipe, {
      variables: await environmentVariables(projectDir),
      ...(pip ? { pip } : {}),
    });
    context.out(text);
    return 0;
  },
};
