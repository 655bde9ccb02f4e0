import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ROOT } from './support/renderer-build';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A project with scripts/electron-binary.mjs and a stand-in electron package whose install.js is `install`. */
async function project(install: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'condense-electron-binary-'));
  dirs.push(dir);
  await cp(
    join(ROOT, 'scripts', 'electron-binary.mjs'),
    join(dir, 'scripts', 'electron-binary.mjs'),
  );
  const electron = join(dir, 'node_modules', 'electron');
  await mkdir(electron, { recursive: true });
  await writeFile(join(electron, 'package.json'), '{"name":"electron","version":"0.0.0"}');
  await writeFile(join(electron, 'install.js'), install);
  return dir;
}

function postinstall(dir: string, env: NodeJS.ProcessEnv = {}) {
  const env2: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete env2.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return spawnSync(process.execPath, [join(dir, 'scripts', 'electron-binary.mjs')], {
    cwd: dir,
    env: env2,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('postinstall: Electron binary download', () => {
  it('exits 0 with one line naming the cause when the download fails', async () => {
    const dir = await project(
      "console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest'); process.exit(1);",
    );
    const result = postinstall(dir);
    expect(result.status).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      "Condense: Electron's binary could not be downloaded (ENOTFOUND github.com); npm start will serve the app in browser mode.",
    ]);
  });

  it('gives up at its deadline when the download host never answers', async () => {
    const dir = await project('setInterval(() => {}, 1000);');
    const result = postinstall(dir, { CONDENSE_ELECTRON_DOWNLOAD_MS: '300' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('no answer within 0.3 s');
  });

  it('says nothing when the download works', async () => {
    const dir = await project("require('fs').writeFileSync(__dirname + '/ran', 'yes');");
    const result = postinstall(dir);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
