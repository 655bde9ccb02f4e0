import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { ServedChannel } from '../test/support/channels';
import { serveSyntheticChannel } from '../test/support/channels';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
  fixtureImagesRequirement,
} from '../test/support/docker';
import { available, chromiumRequirement, dockerHost } from '../test/support/requirements';
import type { PageProblems } from './support/browser';
import { launchChromium, watchProblems } from './support/browser';
import { AppShell } from './support/pages/app-shell';
import { BuildPage } from './support/pages/build-page';
import { EnvironmentPage } from './support/pages/environment-page';
import { ImagePage } from './support/pages/image-page';
import { LockPage } from './support/pages/lock-page';
import { ProjectsPage } from './support/pages/projects-page';
import { ResultsPage } from './support/pages/results-page';
import type { ServedApp } from './support/serve';
import { startServe } from './support/serve';

/**
 * The whole flow a data scientist goes through, in Chromium against `condense serve` and the real
 * services: the synthetic channel served on 127.0.0.1, the real Docker engine with the offline
 * fixture base images. Steps depend on each other, so they run in order in one page.
 */
const ready =
  available('Chromium', chromiumRequirement()) &&
  available('Docker with the fixture images', await fixtureImagesRequirement(connectDocker()));

// Builds tag images condense/<project>:<variant>; a unique name keeps runs apart and cleanable.
const PROJECT = `e2e-flow-${Date.now().toString(36)}`;

async function removeProjectImages(): Promise<void> {
  const docker = connectDocker();
  const images = await docker.listImages({
    filters: JSON.stringify({ reference: [`condense/${PROJECT}`] }),
  });
  for (const image of images) {
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

describe.skipIf(!ready)('full flow in browser mode', () => {
  let channel: ServedChannel;
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let shell: AppShell;
  let dir: string;

  beforeAll(async () => {
    channel = await serveSyntheticChannel();
    [app, browser] = await Promise.all([
      startServe({ DOCKER_HOST: dockerHost() }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    problems = watchProblems(page);
    shell = new AppShell(page);
    dir = join(app.dirs.projects, PROJECT);
    await page.goto(app.url);
  });

  afterAll(async () => {
    await browser?.close();
    if (app) {
      const code = await app.stop();
      expect(code, app.log()).toBe(0);
    }
    await channel?.close();
    if (ready) await removeProjectImages();
  });

  it('creates a project on the fixture channel', async () => {
    const projects = new ProjectsPage(page);
    await projects.create(dir);
    await new EnvironmentPage(page).heading.waitFor();
    // The fixture channel replaces the default conda-forge (unreachable offline).
    const environment = new EnvironmentPage(page);
    await environment.addChannel(channel.url);
    await environment.removeChannel('conda-forge');
    const channels = async () =>
      (parse(await readFile(join(dir, 'environment.yml'), 'utf8')) as { channels: string[] })
        .channels;
    await expect.poll(channels).toEqual([channel.url]);
    await shell.screenshot('flow-1-environment');
  });

  it('adds packages found by search', async () => {
    const environment = new EnvironmentPage(page);
    // Noarch python packages: the synthetic channel's numpy pulls BLAS libraries whose files clash
    // (libgfortran.so in two packages), which the offline builder stand-in refuses to install.
    await environment.add('click');
    await environment.add('six');
    await shell.screenshot('flow-2-packages');
    const text = await readFile(join(dir, 'environment.yml'), 'utf8');
    expect(text).toMatch(/^\s*- click/m);
    expect(text).toMatch(/^\s*- six/m);
  });

  it('locks the environment', async () => {
    await shell.go('Lock');
    const lock = new LockPage(page);
    await lock.lock();
    await expect.poll(() => lock.packages.textContent()).toContain('click');
    expect(existsSync(join(dir, 'conda-lock.yml'))).toBe(true);
    await shell.screenshot('flow-3-lock');
  });

  it('sets base images, adds a second variant and toggles rules: the size bar shrinks', async () => {
    await shell.go('Image');
    const image = new ImagePage(page);
    await image.setBaseImages(FIXTURE_BUILDER_IMAGE, FIXTURE_RUNTIME_IMAGE);
    await image.sizeBar.waitFor({ timeout: 120_000 });
    await image.addVariant('slim');
    await image.selectVariant('slim');
    await image.preset('No pruning');
    await expect.poll(() => image.remainingBytes()).toBeGreaterThan(0);
    const before = await image.remainingBytes();
    await image.preset('Expert');
    await expect.poll(() => image.remainingBytes()).toBeLessThan(before);
    // One rule by hand: its switch turns off, the recipe file changes, the bar does not shrink.
    const expert = await image.remainingBytes();
    const recipeBefore = await readFile(join(dir, 'condense.yml'), 'utf8');
    const pycache = image.rule(/Python bytecode caches/);
    await expect.poll(() => pycache.isChecked()).toBe(true);
    await pycache.click();
    await expect.poll(() => pycache.isChecked()).toBe(false);
    await expect.poll(() => readFile(join(dir, 'condense.yml'), 'utf8')).not.toBe(recipeBefore);
    expect(await image.remainingBytes()).toBeGreaterThanOrEqual(expert);
    await shell.screenshot('flow-4-image');
    const recipe = await readFile(join(dir, 'condense.yml'), 'utf8');
    expect(recipe).toContain(FIXTURE_BUILDER_IMAGE);
    expect(recipe).toContain('slim');
  });

  it('builds two variants', async () => {
    await shell.go('Build');
    const build = new BuildPage(page);
    const status = await build.buildAll(480_000).finally(() => shell.screenshot('flow-5-build'));
    expect(status).toMatch(/Build finished: 2 variant/);
  });

  it('compares both variants with their sizes', async () => {
    await shell.go('Results');
    const results = new ResultsPage(page);
    await results.table.waitFor();
    const rows = await results.rows();
    expect(rows.map((r) => r.Variant?.split(' ')[0])).toEqual(['default', 'slim']);
    // Both images exist, have layers and a size; pruning did not make slim bigger.
    const mib = rows.map((r) => Number(/([\d.]+) MiB/.exec(r.Total ?? '')?.[1]));
    for (const [i, size] of mib.entries()) {
      expect(size, JSON.stringify(rows[i])).toBeGreaterThan(1);
    }
    expect(mib[1]).toBeLessThanOrEqual(mib[0]!);
    for (const row of rows) {
      expect(Number(row.Layers), JSON.stringify(row)).toBeGreaterThan(0);
      expect(row['Smoke test']).not.toContain('build failed');
    }
    await results.totals.waitFor();
    await shell.screenshot('flow-6-results');
  });

  it('exports the build files and they are on disk', async () => {
    const results = new ResultsPage(page);
    const exportDir = join(app.dirs.root, 'export');
    const files = await results.export(exportDir);
    await shell.screenshot('flow-7-export');
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect(existsSync(join(exportDir, f.trim())), f).toBe(true);
    expect(await readFile(join(exportDir, 'Dockerfile'), 'utf8')).toContain(FIXTURE_RUNTIME_IMAGE);
    expect(problems.errors).toEqual([]);
  });

  it('follows the system theme: every screen again in dark', async () => {
    const background = () =>
      page.evaluate(() => {
        // Runs in the page; the Node-side types have no DOM.
        const g = globalThis as unknown as {
          document: { body: unknown };
          getComputedStyle(e: unknown): { color: string };
        };
        // Text colour: the page background may be the canvas's, which computed styles do not show.
        return g.getComputedStyle(g.document.body).color;
      });
    await page.keyboard.press('Escape'); // the export dialog
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(background).not.toBe(light);
    for (const step of ['Projects', 'Environment', 'Lock', 'Image', 'Build', 'Results'] as const) {
      await shell.go(step);
      await shell.screenshot(`flow-dark-${step.toLowerCase()}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems.errors).toEqual([]);
  });
});
