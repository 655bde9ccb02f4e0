import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { ElectronApplication } from 'playwright-core';
import { _electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppShell } from './support/pages/app-shell';
import { ProjectsPage } from './support/pages/projects-page';
import { ROOT } from './support/renderer-build';
import type { IsolatedDirs } from './support/serve';
import { isolatedDirs } from './support/serve';

/**
 * Where the Electron binary is missing (npm could not download it, as on the offline CI machine) these
 * tests skip with the reason. Deliberately not `available()`: CONDENSE_REQUIRE_DOCKER=1 makes that a
 * failure, and no package on this machine can provide the binary.
 */
function electronBinary(): { path?: string; reason: string } {
  const noDisplay =
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path !== 'string' || !existsSync(path)) {
      return { reason: `the Electron binary is missing (${String(path)})` };
    }
    if (noDisplay) return { reason: 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)' };
    if (!existsSync(join(ROOT, 'out', 'main', 'index.cjs'))) {
      return { reason: 'out/main/index.cjs is not built (npm run build)' };
    }
    return { path, reason: '' };
  } catch (error) {
    return {
      reason: `the Electron binary is not installed (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

const binary = electronBinary();
if (!binary.path) console.warn(`[skip] Electron e2e: ${binary.reason}`);

describe.skipIf(!binary.path)('Electron shell (_electron.launch)', () => {
  let app: ElectronApplication;
  let dirs: IsolatedDirs;

  beforeAll(async () => {
    dirs = await isolatedDirs();
    app = await _electron.launch({
      executablePath: binary.path!,
      args: [ROOT],
      env: {
        ...process.env,
        CONDENSE_CONFIG_DIR: dirs.config,
        CONDENSE_CACHE_DIR: dirs.cache,
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves the UI from app:// with no Node in the page and the preload bridge only', async () => {
    const page = await app.firstWindow();
    expect(page.url()).toMatch(/^app:\/\/condense\//);
    await new ProjectsPage(page).heading.waitFor();
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as unknown as { condense: object }).condense).sort(),
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      bridge: ['invoke', 'onJobEvent'],
    });
    const info = await page.evaluate(() =>
      (
        globalThis as unknown as { condense: { invoke(m: string, r: unknown): Promise<unknown> } }
      ).condense.invoke('app:info', {}),
    );
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron' } });
    await new AppShell(page).screenshot('electron-projects');
  });

  it('denies new windows and navigation away from the app', async () => {
    const page = await app.firstWindow();
    // Page functions run in the window; the Node-side types have no DOM, hence the casts.
    type Win = { open(url: string): unknown; location: { href: string } };
    const opened = await page.evaluate(
      () => (globalThis as unknown as Win).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as Win).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toMatch(/^app:\/\/condense\//);
    expect(app.windows()).toHaveLength(1);
  });

  it('creates a project through the UI', async () => {
    const page = await app.firstWindow();
    await new ProjectsPage(page).create(join(dirs.projects, 'electron-demo'));
    await page.getByRole('heading', { level: 2, name: /Environment/ }).waitFor();
    expect(existsSync(join(dirs.projects, 'electron-demo', 'environment.yml'))).toBe(true);
  });
});
