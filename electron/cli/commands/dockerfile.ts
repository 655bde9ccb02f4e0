import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import { generateDockerignore } from '../../../shared/recipe/dockerignore';
import { environmentVariables } from '../../services/project/environment-store';
import { loadRecipe } from '../../services/recipe/recipe-file';
import type { CliCommand } from '../command';
import { PRUNE_OPTIONS, withPruneOptions } from './recipe-options';

/** `condense dockerfile`: prints the generated Dockerfile (or .dockerignore) of the project's recipe. */
export const dockerfileCommand: CliCommand = {
  name: 'dockerfile',
  summary: 'Print the Dockerfile generated from condense.yml',
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
    if (values.dockerignore) {
      context.out(generateDockerignore(recipe));
      return 0;
    }
    const text = generateDockerfile(values.classic ? { ...recipe, buildkitCache: false } : recipe, {
      variables: await environmentVariables(context.projectDir),
    });
    context.out(text);
    return 0;
  },
};
