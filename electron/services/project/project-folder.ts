import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { ENVIRONMENT_FILE } from './skeletons';

/**
 * The one project-folder check of every handler: an existing folder holding environment.yml (the
 * request schema has already made it an absolute path), so no request writes to a folder that is not
 * a project; `project:create` is the way to make one. Services called by the CLI or tests with a
 * hand-written Dockerfile pass `environment: false` (a folder is enough to build in).
 */
export async function projectFolder(
  dir: string,
  { field = 'projectDir', environment = true }: { field?: string; environment?: boolean } = {},
): Promise<string> {
  const folder = await stat(dir).catch(() => undefined);
  if (!folder) {
    throw new CondenseError('NOT_FOUND', `There is no folder ${dir}: it does not exist.`, {
      field,
      dir,
    });
  }
  if (!folder.isDirectory()) {
    throw new CondenseError('INVALID_INPUT', `${dir} is a file, not a project folder.`, {
      field,
      dir,
    });
  }
  if (!environment) return dir;
  const file = await stat(join(dir, ENVIRONMENT_FILE)).catch(() => undefined);
  if (!file?.isFile()) {
    throw new CondenseError(
      'NOT_FOUND',
      `${dir} has no environment.yml, so it is not a Condense project yet: create a project there (condense init) or open the folder that holds it.`,
      { field, dir },
    );
  }
  return dir;
}
