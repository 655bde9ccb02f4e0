import { isAbsolute } from 'node:path';

import type { ApiHandlers } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import type { PipMethods, PipSearchResult } from '../../../shared/api/pip';
import { parsePipSection } from '../../../shared/pip/requirement';
import { readEnvironment } from '../lock/lock-files';
import { loadRecipe } from '../recipe/recipe-file';
import { pipIndexes } from './credentials';
import { searchIndex } from './index';
import { sectionWithRecipe } from './lock-pip';

export function createPipHandlers(): Pick<ApiHandlers, keyof PipMethods> {
  return {
    'pip:search': async (request) => {
      if (typeof request?.projectDir !== 'string' || !isAbsolute(request.projectDir))
        throw new CondenseError('INVALID_INPUT', 'projectDir must be an absolute folder path', {
          field: 'projectDir',
        });
      if (typeof request.query !== 'string' || request.query.trim() === '')
        throw new CondenseError('INVALID_INPUT', 'Say what to search for (query).', {
          field: 'query',
        });
      const limit = request.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new CondenseError('INVALID_INPUT', 'limit must be a whole number from 1 to 100', {
          field: 'limit',
        });
      const { file } = await readEnvironment(request.projectDir);
      const recipe = await loadRecipe(request.projectDir);
      const indexes = await pipIndexes(sectionWithRecipe(parsePipSection(file.spec.pip), recipe));
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
