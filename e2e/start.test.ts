import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { chooseMode } from '../scripts/start.mjs';
import { available } from '../test/support/requirements';
import { ROOT } from './support/renderer-build';

const installFailure = () => {
  throw new Error('Electron failed to install correctly, please delete node_modules/electron');
};

describe('npm start: choosing Electron or browser mode', () => {
  it('falls back to browser mode when the Electron binary is missing, saying why', () => {
    const choice = chooseMode({
      env: { DISPLAY: ':0' },
      platform: 'linux',
      resolveElectron: installFailure,
    });
    expect(choice).toMatchObject({ mode: 'browser' });
    expect(choice.mode === 'browser' && choice.reason).toContain('Electron failed to install');
    expect(
      chooseMode({ env: { DISPLAY: ':0' }, platform: 'linux', resolveElectron: () => '/nope' }),
    ).toMatchObject({ mode: 'browser', reason: expect.stringContaining('/nope') as unknown });
  });

  it('falls back without a display on Linux only', () => {
    const binary = process.execPath; // any existing file stands in for the binary
    const resolveElectron = () => binary;
    expect(chooseMode({ env: {}, platform: 'linux', resolveElectron })).toMatchObject({
      mode: 'browser',
      reason: expect.stringContaining('no display') as unknown,
    });
    expect(
      chooseMode({ env: { WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux', resolveElectron }),
    ).toEqual({ mode: 'electron', electron: binary });
    expect(chooseMode({ env: {}, platform: 'darwin', resolveElectron })).toEqual({
      mode: 'electron',
      electron: binary,
    });
    expect(
      chooseMode({
        env: { DISPLAY: ':0', CONDENSE_BROWSER: '1' },
        platform: 'linux',
        resolveElectron,
      }),
    ).toMatchObject({ mode: 'browser' });
  });

  const built = available('built app (out/)', {
    ok: existsSync(join(ROOT, 'out', 'cli', 'index.mjs')),
    reason: 'out/cli/index.mjs is missing (run npm run build)',
  });

  it.skipIf(!built)(
    'serves browser mode on this machine and prints the URL with its token',
    async () => {
      const config = await mkdtemp(join(tmpdir(), 'condense-start-'));
      const env: NodeJS.ProcessEnv = { ...process.env, CONDENSE_CONFIG_DIR: config };
      delete env.DISPLAY;
      delete env.WAYLAND_DISPLAY;
      const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--port', '0'], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      try {
        await expect
          .poll(() => /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(stdout)?.[0], {
            timeout: 60_000,
          })
          .toBeDefined();
        const url = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(stdout)![0];
        expect(stderr).toContain('browser mode, because');
        const page = await fetch(url);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
        const api = url.replace(/\/#token=.*/, '/api');
        expect((await fetch(api)).status).toBe(401);
        const token = url.replace(/.*#token=/, '');
        expect((await fetch(api, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
          426,
        );
      } finally {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        await rm(config, { recursive: true, force: true });
      }
    },
  );
});
