import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';

/** Where a project keeps Condense's own state (build records, traces). */
export const STATE_DIR = '.condense';

function outside(projectDir: string, link: string, target: string): CondenseError {
  return new CondenseError(
    'INVALID_INPUT',
    `${link} is a link out of the project (to ${target}): Condense writes build records and traces only inside the project folder. Replace the link with a folder.`,
    { field: 'projectDir', dir: projectDir },
  );
}

/**
 * A folder under `<project>/.condense/`, created when missing. Each part that already exists must
 * lead to a place inside the project, checked before anything is created, so a `.condense` linked
 * elsewhere (a shared drive, another user's folder) never receives records or logs.
 */
export async function projectStateDir(projectDir: string, ...segments: string[]): Promise<string> {
  const root = await realpath(projectDir);
  const inside = (path: string) => path === root || path.startsWith(root + sep);
  let path = projectDir;
  for (const segment of [STATE_DIR, ...segments]) {
    path = join(path, segment);
    const found = await lstat(path).catch(() => undefined);
    if (!found) break;
    const real = await realpath(path).catch(() => path);
    if (!inside(real)) throw outside(projectDir, path, real);
  }
  const dir = join(projectDir, STATE_DIR, ...segments);
  await mkdir(dir, { recursive: true });
  // Checked again: a link put in place while the folders were being made.
  const real = await realpath(dir);
  if (!inside(real)) throw outside(projectDir, dir, real);
  return dir;
}
