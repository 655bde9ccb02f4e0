import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import { generateDockerignore } from '../../../shared/recipe/dockerignore';
import { assertCustomGlobs } from '../../services/analysis/prune-guard';
import { cacheDir } from '../../services/channels/channel-url';
import { pipStepOptions } from '../../services/pip/dockerfile-input';
import { environmentVariables } from '../../services/project/environment-store';
import { loadRecipe } from '../../services/recipe/recipe-file';
import type { CliCommand } from '../command';
import { PRUNE_OPTIONS, withPruneOptions } from './recipe-options';

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
    const { recipe, note } = withPruneOptions(await loadRecipe(context.projectDir), values);
    if (note) context.progress(note);
    await assertCustomGlobs(context.projectDir, recipe, cacheDir());
    if (values.dockerignore) {
      context.out(generateDockerignore(recipe));
      return 0;
    }
    const pip = await pipStepOptions(context.projectDir, recipe);
    const text = generateDockerfile(values.classic ? { ...recipe, buildkitCache: false } : recipe, {
      variables: await environmentVariables(context.projectDir),
      ...(pip ? { pip } : {}),
    });
    context.out(text);
    return 0;
  },
};
