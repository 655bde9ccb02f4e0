import { parsePipSection } from '../../../shared/pip/requirement';
import { readEnvironment } from '../../services/lock/lock-files';
import { loadRecipe } from '../../services/recipe/recipe-file';
import type { CliCommand } from '../command';

/** `condense env`: what environment.yml asks for: channels, conda specs, pip requirements and indexes. */
export const envCommand: CliCommand = {
  name: 'env',
  summary: 'Show the environment: channels, conda dependencies, pip requirements and indexes',
  usage: 'env [--json]',
  options: { json: { type: 'boolean' } },
  async run(context, values) {
    const { file } = await readEnvironment(context.projectDir);
    const spec = file.spec;
    const pip = parsePipSection(spec.pip);
    const recipe = pip.requirements.length ? await loadRecipe(context.projectDir) : undefined;
    // Index URLs are shown as written: `${VAR}`s stay unexpanded, so no credential is printed.
    const indexes = {
      indexUrl: pip.indexUrl ?? 'https://pypi.org/simple',
      extraIndexUrls: [...pip.extraIndexUrls, ...(recipe?.pip.extraIndexUrls ?? [])],
    };
    if (values.json) {
      context.out(
        JSON.stringify(
          {
            name: spec.name,
            channels: spec.channels,
            platforms: spec.platforms,
            dependencies: spec.dependencies.map((d) => d.raw),
            pip: pip.requirements.map((r) => r.raw),
            ...(pip.requirements.length
              ? { pipIndexes: indexes, pipSdist: recipe?.pip.sdist }
              : {}),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    context.out(`channels: ${spec.channels.join(', ') || '(none)'}`);
    if (spec.platforms.length) context.out(`platforms: ${spec.platforms.join(', ')}`);
    context.out('conda:');
    for (const d of spec.dependencies) context.out(`  ${d.raw}`);
    if (pip.requirements.length) {
      context.out(
        `pip (index ${indexes.indexUrl}${indexes.extraIndexUrls.length ? `, extra ${indexes.extraIndexUrls.join(', ')}` : ''}; sdists: ${recipe?.pip.sdist ?? 'refuse'}):`,
      );
      for (const r of pip.requirements) context.out(`  ${r.raw}`);
    }
    return 0;
  },
};
