import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { TEMP_FILE, writeFileAtomic, writeTempSibling } from './atomic-write';
import { diskError } from './disk-errors';

/** The journal of a multi-file commit in progress: present only between its commit point and its end. */
export const JOURNAL = '.condense-commit.json';

interface Journal {
  version: 1;
  /** target name -> temporary file name, both in the same folder. */
  files: [string, string][];
}

export interface CommitFile {
  name: string;
  data: string | Uint8Array;
  mode?: number;
}

/**
 * Replaces several files of one folder as one unit (the lockfiles of a lock, an export): every new
 * file is written and fsynced beside its target, then a journal naming them is written atomically
 * (the commit point), then each is renamed into place and the journal removed. A crash before the
 * journal leaves the old files (and temporaries that {@link recoverFolder} removes); a crash after it
 * is finished by {@link recoverFolder} on the next start. Never a mix.
 */
export async function commitFiles(dir: string, files: CommitFile[]): Promise<void> {
  await recoverFolder(dir);
  const temps: [string, string][] = [];
  try {
    for (const file of files) {
      const temp = await writeTempSibling(join(dir, file.name), file.data, file.mode ?? 0o644);
      temps.push([file.name, temp.slice(dir.length + 1)]);
    }
    const journal: Journal = { version: 1, files: temps };
    await writeFileAtomic(join(dir, JOURNAL), JSON.stringify(journal));
  } catch (error) {
    await Promise.all(temps.map(([, temp]) => rm(join(dir, temp), { force: true })));
    throw diskError(error, join(dir, files[0]?.name ?? JOURNAL));
  }
  await finish(dir, temps);
}

async function finish(dir: string, files: [string, string][]): Promise<void> {
  for (const [name, temp] of files) {
    try {
      await rename(join(dir, temp), join(dir, name));
    } catch (error) {
      // Already renamed by an earlier, interrupted finish.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw diskError(error, join(dir, name));
    }
  }
  await rm(join(dir, JOURNAL), { force: true });
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Brings a folder back to a whole state after a crash: finishes a journaled commit, and removes the
 * temporary files of writers that are gone. Cheap when there is nothing to do (one readdir).
 */
export async function recoverFolder(dir: string, options: { deep?: boolean } = {}): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  if (names.includes(JOURNAL)) {
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(await readFile(join(dir, JOURNAL), 'utf8')) as Journal;
    } catch {
      journal = undefined;
    }
    if (journal?.version === 1 && Array.isArray(journal.files)) await finish(dir, journal.files);
    else await rm(join(dir, JOURNAL), { force: true });
    names = await readdir(dir);
  }
  for (const name of names) {
    const match = TEMP_FILE.exec(name);
    if (match && !alive(Number(match[1]))) await rm(join(dir, name), { force: true });
  }
  // An export also writes into subfolders (`.github/workflows/`): their temps too.
  if (options.deep) await removeDeadTemps(dir, 3);
}

async function removeDeadTemps(dir: string, depth: number): Promise<void> {
  if (depth === 0) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await removeDeadTemps(path, depth - 1);
    else {
      const match = TEMP_FILE.exec(entry.name);
      if (match && !alive(Number(match[1]))) await rm(path, { force: true });
    }
  }
}
