import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { EnvironmentEdit } from '../../../shared/environment/environment-edit';
import { editEnvironmentFile } from '../../../shared/environment/environment-edit';
import type { EnvironmentFile } from '../../../shared/environment/environment-file';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { replaceTarget, writeTempSibling } from '../fs/atomic-write';
import { ENVIRONMENT_FILE } from './skeletons';

/** environment.yml as read: text, model and revision (sha256 of its bytes, as for condense.yml). */
export interface EnvironmentRead {
  text: string;
  file: EnvironmentFile;
  revision: string;
}

export const revisionOf = (bytes: string | Uint8Array) =>
  createHash('sha256').update(bytes).digest('hex');

async function readBytes(path: string, projectDir: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new CondenseError(
      'NOT_FOUND',
      `no environment.yml in ${projectDir}: create one or open another project folder`,
      { projectDir },
    );
  }
}

/** Reads and parses `<projectDir>/environment.yml`. */
export async function readEnvironmentFile(projectDir: string): Promise<EnvironmentRead> {
  const bytes = await readBytes(join(projectDir, ENVIRONMENT_FILE), projectDir);
  const text = bytes.toString('utf8');
  return { text, file: parseEnvironmentFile(text), revision: revisionOf(bytes) };
}

const queues = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(task, task);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

const ATTEMPTS = 8;

/**
 * Applies edits to environment.yml as it is on disk now. The new text is written to a temporary
 * sibling and renamed over the file only if the file still has the bytes the edits were applied to;
 * a hand edit that landed meanwhile makes the edits apply again on top of it, so it is never lost.
 * With `baseRevision`, a file that changed since the caller read it is refused (CONFLICT). An edit
 * that changes nothing writes nothing. The file's mode and symlinks are kept.
 */
export async function updateEnvironmentFile(
  projectDir: string,
  edits: EnvironmentEdit[],
  baseRevision?: string,
): Promise<EnvironmentRead & { changed: boolean }> {
  const { target, mode } = await replaceTarget(join(projectDir, ENVIRONMENT_FILE));
  return serialized(target, async () => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const bytes = await readBytes(target, projectDir);
      const revision = revisionOf(bytes);
      if (baseRevision !== undefined && baseRevision !== revision) {
        throw new CondenseError(
          'CONFLICT',
          `${ENVIRONMENT_FILE} changed on disk since Condense read it (edited by hand?). Nothing was written; reload it and try again.`,
          { revision },
        );
      }
      const before = bytes.toString('utf8');
      const text = editEnvironmentFile(parseEnvironmentFile(before), edits);
      if (text === before)
        return { text, file: parseEnvironmentFile(text), revision, changed: false };
      const temp = await writeTempSibling(target, text, mode);
      try {
        if (revisionOf(await readFile(target)) !== revision) continue;
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
      return { text, file: parseEnvironmentFile(text), revision: revisionOf(text), changed: true };
    }
    throw new CondenseError(
      'CONFLICT',
      `${ENVIRONMENT_FILE} kept changing while Condense was saving; nothing was written. Try again when it is quiet.`,
    );
  });
}

/** environment.yml's `variables:` (empty when the project has no environment.yml). */
export async function environmentVariables(projectDir: string): Promise<Record<string, string>> {
  try {
    await readFile(join(projectDir, ENVIRONMENT_FILE));
  } catch {
    return {};
  }
  return (await readEnvironmentFile(projectDir)).file.spec.variables;
}
