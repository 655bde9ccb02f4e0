import { validate } from '../../../shared/api/validate';
import { compareBuilds } from '../../../shared/build/compare';
import { latestBuildId, listBuilds, loadBuild } from '../../services/build/history-store';
import type { CliCommand } from '../command';
import { buildListText, comparisonText } from './build-output';

/** `condense compare [BUILD [OTHER]]`: the variants of a build (the latest by default), or of two. */
export const compareCommand: CliCommand = {
  usage: 'compare [BUILD [OTHER]] [--layers] [--json] | compare --list [--json]',
  positionals: true,
  options: {
    json: { type: 'boolean' },
    layers: { type: 'boolean' },
    list: { type: 'boolean' },
  },
  async run(context, values, positionals) {
    if (values.list) {
      const { projectDir } = validate('build:list', { projectDir: context.projectDir });
      const builds = await listBuilds(projectDir);
      context.out(values.json ? JSON.stringify(builds, null, 2) : buildListText(builds));
      return 0;
    }
    if (positionals.length > 2) {
      context.progress('condense compare: give at most two build ids.');
      return 2;
    }
    // The contract's schema, as the app's door applies it (build:compare): a build id that is not
    // one is refused naming the field before the history is read.
    const request = validate('build:compare', {
      projectDir: context.projectDir,
      buildId: positionals[0] ?? (await latestBuildId(context.projectDir)),
      ...(positionals[1] !== undefined ? { other: positionals[1] } : {}),
    });
    const first = await loadBuild(request.projectDir, request.buildId);
    const other =
      request.other !== undefined ? await loadBuild(request.projectDir, request.other) : undefined;
    const comparison = compareBuilds(first, other);
    context.out(
      values.json
        ? JSON.stringify(comparison, null, 2)
        : comparisonText(comparison, Boolean(values.layers)),
    );
    return 0;
  },
};
