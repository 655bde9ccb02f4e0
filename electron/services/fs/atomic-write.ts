import { randomBytes } from 'node:crypto';
import { link, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to a fsynced temporary sibling of `path` and returns its name. */
async function writeTempSibling(
  path: string,
  data: string | Uint8Array,
  mode: number,
): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    // open() applies the umask; the file must get exactly `mode` (a 0600 file stays 0600).
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Writes a file atomically: a temporary sibling is written and fsynced, then renamed over the target,
 * so a crash never leaves a half-written environment.yml or lockfile.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const temp = await writeTempSibling(path, data, mode);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a new file atomically without ever replacing an existing one: the temporary sibling is
 * hard-linked to the target name. `link` fails with EEXIST when the target exists, so a file created
 * meanwhile by the user (or another window) is never overwritten, which a check-then-rename could not
 * promise. Returns false when the target already existed.
 */
export async function writeFileExclusive(path: string, data: string): Promise<boolean> {
  const temp = await writeTempSibling(path, data, 0o644);
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

/**
 * Replaces an existing file atomically the way an editor saving it would: through a symlink to its
 * target (the link stays a link), keeping the file's mode. A missing file is created with 0644.
 */
export async function replaceFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const { target, mode } = await replaceTarget(path);
  await writeFileAtomic(target, data, mode);
}

/** The real file behind `path` (symlinks followed) and its permission bits. */
export async function replaceTarget(path: string): Promise<{ target: string; mode: number }> {
  try {
    const target = await realpath(path);
    return { target, mode: (await stat(target)).mode & 0o7777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target: path, mode: 0o644 };
    throw error;
  }
}

export { writeTempSibling };
