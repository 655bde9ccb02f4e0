import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The user-level config folder (recent projects): `$CONDENSE_CONFIG_DIR` (tests point it at a temporary
 * folder), else the platform's convention.
 */
export function userConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.CONDENSE_CONFIG_DIR) return resolve(env.CONDENSE_CONFIG_DIR);
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Condense');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Condense');
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'condense');
}
