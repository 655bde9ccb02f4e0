import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { PipMethods, PipSearchResult } from '../../../shared/api/pip';
import { parsePipSection } from '../../../shared/pip/requirement';
import { readEnvironment } from '../lock/lock-files';
import { projectFolder } from '../project/project-folder';
import { loadRecipe } from '../recipe/recipe-file';
import { pipIndexes } from './credentials';
import { searchIndex } from './index';
import { sectionWithRecipe } from './lock-pip';

export function createPipHandlers(): Pick<ApiHandlers, keyof PipMethods> {
  return {
    'pip:search': async (request) => {
      const projectDir = await projectFolder(request.projectDir);
      if (typeof request.query !== 'string' || request.query.trim() === '')
        throw new CondenseError('INVALID_INPUT', 'Say what to search for (query).', {
          field: 'query',
        });
      const limit = request.limit ?? 20;
      const { file } = await readEnvironment(projectDir);
      const recipe = await loadRecipe(projectDir);
      const indexes = await pipIndexes(
        sectionWithRecipe(parsePipSection(file.spec.pip), recipe, file.spec.pipRepositories),
      );
      const results: PipSearchResult[] = [];
      for (const index of [indexes.primary, ...indexes.extra]) {
        const found = await searchIndex(index, request.query, { limit, auth: indexes });
        for (const r of found)
          if (!results.some((x) => x.name.toLowerCase() === r.name.toLowerCase()))
            results.push({ ...r, index: index.url });
      }
      return results.slice(0, limit);
    },
  };
}
