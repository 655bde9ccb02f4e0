import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { RepodataCache } from '../../electron/services/channels/repodata-cache';
import { lockProject } from '../../electron/services/lock/lock-service';

/**
 * The environment the realistic-channel builds and the benchmark use: python and numpy plus the
 * packages that hold the prune rules' targets (sqlite3, openssl, terminfo, the conda linker,
 * sanitizers, uvloop, pip).
 */
export const REALISTIC_SPECS = [
  'python 3.11.*',
  'numpy',
  'pip',
  'sqlite',
  'openssl',
  'ncurses',
  'binutils',
  'libsanitizer',
  'uvloop',
  'click',
];

/** Writes environment.yml for `channelUrl` into `projectDir` and locks it with the builtin engine. */
export async function lockRealisticProject(
  projectDir: string,
  channelUrl: string,
  cacheRoot: string,
): Promise<void> {
  await mkdir(projectDir, { recursive: true });
  await writeFile(
    join(projectDir, 'environment.yml'),
    `name: realistic\nchannels:\n  - ${channelUrl}\n  - nodefaults\ndependencies:\n${REALISTIC_SPECS.map((s) => `  - ${s}\n`).join('')}`,
  );
  await lockProject(
    { projectDir, platforms: ['linux-64'] },
    {},
    { cache: new RepodataCache({ dir: join(cacheRoot, 'repodata') }) },
  );
}
