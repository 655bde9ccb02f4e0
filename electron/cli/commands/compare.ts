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
      const builds = await listBuilds(context.projectDir);
      context.out(values.json ? JSON.stringify(builds, null, 2) : buildListText(builds));
      return 0;
    }
    if (positionals.length > 2) {
      context.progress('condense compare: give at most two build ids.');
      return 2;
    }
    const firstId = positionals[0] ?? (await latestBuildId(context.projectDir));
    const first = await loadBuild(context.projectDir, firstId);
    const other = positionals[1] ? await loadBuild(context.projectDir, positionals[1]) : undefined;
    const comparison = compareBuilds(first, other);
    context.out(
      values.json
        ? JSON.stringify(comparison, null, 2)
        : comparisonText(comparison, Boolean(values.layers)),
    );
    return 0;
  },
};
