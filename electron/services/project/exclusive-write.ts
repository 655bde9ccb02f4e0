import { randomBytes } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a new file atomically without ever replacing an existing one: the content goes to a fsynced
 * temporary sibling that is then hard-linked to the target name. `link` fails with EEXIST when the
 * target exists, so a file created meanwhile by the user (or another window) is never overwritten,
 * which a check-then-rename could not promise. Returns false when the target already existed.
 */
export async function writeFileExclusive(path: string, data: string): Promise<boolean> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}
