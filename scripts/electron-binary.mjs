// postinstall: fetch Electron's binary where the network allows, without ever failing `npm install`.
// Electron's own install script exits non-zero offline and npm would stop there, so package.json blocks it
// (allowScripts) and this runs it instead, with a deadline. Without the binary, `npm start` serves browser mode.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const DEADLINE_MS = Number(process.env.CONDENSE_ELECTRON_DOWNLOAD_MS ?? 5 * 60_000);

function electronDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined; // production install without devDependencies
  }
}

function binaryPresent(dir) {
  const pathFile = join(dir, 'path.txt');
  return existsSync(pathFile) && existsSync(join(dir, 'dist'));
}

const dir = electronDir();
if (dir && process.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== '1' && !binaryPresent(dir)) {
  const child = spawn(process.execPath, ['install.js'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    if (code === 0) return;
    const why = signal
      ? `no answer within ${DEADLINE_MS / 1000} s`
      : (/\b(E[A-Z]+\b[^\n]*|Error: [^\n]*)/.exec(stderr)?.[1] ?? `exit ${code}`).slice(0, 160);
    console.warn(
      `Condense: Electron's binary could not be downloaded (${why}); npm start will serve the app in browser mode.`,
    );
  });
}
