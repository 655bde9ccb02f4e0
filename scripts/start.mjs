// `npm start`: the Electron window when Electron's binary and a display exist; otherwise the same UI in
// browser mode (`condense serve`) on 127.0.0.1, with the reason printed first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where to run. `resolveElectron` returns the binary path (what `require('electron')` returns in Node)
 * or throws, as it does when the binary download failed ("Electron failed to install correctly").
 * @param {{ env: Record<string, string | undefined>, platform: string, resolveElectron: () => string }} input
 * @returns {{ mode: 'electron', electron: string } | { mode: 'browser', reason: string }}
 */
export function chooseMode({ env, platform, resolveElectron }) {
  if (env.CONDENSE_BROWSER === '1') {
    return { mode: 'browser', reason: 'CONDENSE_BROWSER=1 asks for browser mode' };
  }
  let electron;
  try {
    electron = resolveElectron();
  } catch (error) {
    const first = String(error instanceof Error ? error.message : error).split('\n')[0];
    return {
      mode: 'browser',
      reason: `Electron is not usable here (${first}); its binary is downloaded by npm install with internet access`,
    };
  }
  if (typeof electron !== 'string' || !existsSync(electron)) {
    return { mode: 'browser', reason: `Electron's binary is missing (${String(electron)})` };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      mode: 'browser',
      reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    };
  }
  return { mode: 'electron', electron };
}

function ensureBuilt() {
  const needed = ['out/cli/index.mjs', 'out/renderer/index.html'];
  if (needed.every((p) => existsSync(join(root, p)))) return;
  console.error('Condense is not built yet: building (npm run build)…');
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  // Forward Ctrl-C and service-manager stops; the child shuts down cleanly and we exit with it.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(signal ? 130 : (code ?? 1)));
}

function main() {
  ensureBuilt();
  const require = createRequire(import.meta.url);
  const choice = chooseMode({
    env: process.env,
    platform: process.platform,
    resolveElectron: () => require('electron'),
  });
  if (choice.mode === 'electron') {
    run(choice.electron, [root, ...process.argv.slice(2)]);
    return;
  }
  console.error(`Condense: opening browser mode, because ${choice.reason}.`);
  const portIndex = process.argv.indexOf('--port');
  const port = portIndex > 0 ? process.argv[portIndex + 1] : (process.env.CONDENSE_PORT ?? '0');
  run(process.execPath, [join(root, 'bin', 'condense.mjs'), 'serve', '--port', String(port)]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
