import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';

/** The solvers conda-lock can drive, in its own order of preference. */
const NAMES = ['mamba', 'micromamba', 'conda'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `name` as an executable path: itself when absolute, else the first match on PATH. */
export function locateExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (isAbsolute(name)) return executable(name) ? name : undefined;
  return onPath(name, env);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The conda, mamba or micromamba that conda-lock should solve with, passed as `--conda PATH`.
 * Without one conda-lock downloads conda-standalone and retries for minutes offline, so when none
 * is found the lock fails at once, saying so. Looks at `explicit` (the `--conda` option), then
 * `$CONDENSE_CONDA`, `$CONDA_EXE` / `$MAMBA_EXE`, the folder of conda-lock itself (an environment
 * that has conda-lock usually has conda), then PATH.
 */
export function findCondaExecutable(
  condaLock: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = explicit ?? env.CONDENSE_CONDA;
  if (chosen) {
    const path = isAbsolute(chosen) ? chosen : onPath(chosen, env);
    if (path && executable(path)) return path;
    throw new CondenseError(
      'ENGINE_UNAVAILABLE',
      `conda executable ${JSON.stringify(chosen)} (${explicit ? '--conda' : 'CONDENSE_CONDA'}) was not found or is not executable: give the path of conda, mamba or micromamba`,
      { conda: chosen },
    );
  }
  for (const name of ['CONDA_EXE', 'MAMBA_EXE']) {
    const path = env[name];
    if (path && executable(path)) return path;
  }
  const lockPath = isAbsolute(condaLock) ? condaLock : onPath(condaLock, env);
  if (lockPath) {
    let dirs = [dirname(lockPath)];
    try {
      dirs = [...new Set([...dirs, dirname(realpathSync(lockPath))])];
    } catch {
      // a dangling link: spawn will report it
    }
    for (const dir of dirs)
      for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  for (const name of NAMES) {
    const path = onPath(name, env);
    if (path) return path;
  }
  throw new CondenseError(
    'ENGINE_UNAVAILABLE',
    'conda-lock needs conda, mamba or micromamba to solve, and none was found (PATH, CONDA_EXE, beside conda-lock): install one, pass --conda PATH (or set CONDENSE_CONDA), or use the built-in engine',
  );
}
