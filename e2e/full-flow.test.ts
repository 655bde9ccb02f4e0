import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { ServedChannel } from '../test/support/channels';
import { serveRealisticChannel } from '../test/support/channels';
import {
  connectDocker,
  FIXTURE_BUILDER_IMAGE,
  FIXTURE_RUNTIME_IMAGE,
} from '../test/support/docker';
import { dockerHost } from '../test/support/requirements';
import { seriousAxeProblems } from './support/axe';
import type { PageProblems } from './support/browser';
import { launchChromium, watchProblems } from './support/browser';
import { fullStackReady, sizeBytes } from './support/full-stack';
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
 * services: the realistic channel (real python 3.11, numpy and click binaries) served on 127.0.0.1,
 * the real Docker engine with the offline fixture base images. Steps depend on each other, so they
 * run in order in one page.
 */
const ready = await fullStackReady();

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
    channel = (await serveRealisticChannel())!;
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

  it('says on first run what Condense does and offers the example project', async () => {
    const projects = new ProjectsPage(page);
    await projects.heading.waitFor();
    await page.getByText(/^Condense turns your conda environment into a small/).waitFor();
    await page.getByRole('button', { name: 'Open the example project' }).waitFor();
    await shell.screenshot('flow-0-first-run');
    expect(await seriousAxeProblems(page)).toEqual([]);
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
    // A compiled package (numpy, with OpenBLAS) and a noarch one (click) on python 3.11.
    await environment.add('numpy');
    await environment.add('click');
    await shell.screenshot('flow-2-packages');
    const text = await readFile(join(dir, 'environment.yml'), 'utf8');
    expect(text).toMatch(/^\s*- python=3\.11$/m);
    expect(text).toMatch(/^\s*- numpy/m);
    expect(text).toMatch(/^\s*- click/m);
  });

  it('locks the environment', async () => {
    await shell.go('Lock');
    const lock = new LockPage(page);
    await lock.lock();
    await expect.poll(() => lock.packages.textContent()).toContain('click');
    const locked = await lock.packages.textContent();
    expect(locked).toContain('numpy');
    expect(locked).toMatch(/python\s*3\.11\./);
    expect(existsSync(join(dir, 'conda-lock.yml'))).toBe(true);
    // Download and installed size per package, as read back from the lockfile on disk.
    await expect.poll(() => page.getByRole('columnheader', { name: 'Installed' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: 'Download' }).count()).toBe(1);
    expect(await page.getByText(/to download, .* installed/).count()).toBe(1);
    await shell.screenshot('flow-3-lock');
  });

  it('sets base images, adds a second variant and toggles rules: the size bar shrinks', async () => {
    await shell.go('Image');
    const image = new ImagePage(page);
    await image.setBaseImages(FIXTURE_BUILDER_IMAGE, FIXTURE_RUNTIME_IMAGE);
    // The test engine has no bridge network; a user's default stays the engine's own.
    await image.setNetwork('host');
    await image.sizeBar.waitFor({ timeout: 120_000 });
    await image.addVariant('expert');
    await image.selectVariant('expert');
    await image.preset('No pruning');
    await expect.poll(() => image.remainingBytes()).toBeGreaterThan(0);
    const before = await image.remainingBytes();
    await image.preset('Expert');
    await expect.poll(() => image.remainingBytes()).toBeLessThan(before);
    // One rule by hand: its switch turns off, the recipe file changes, the bar does not shrink;
    // switched on again, the variant is the Expert preset once more.
    const expert = await image.remainingBytes();
    const recipeBefore = await readFile(join(dir, 'condense.yml'), 'utf8');
    const pycache = image.rule(/Python bytecode caches/);
    await expect.poll(() => pycache.isChecked()).toBe(true);
    await pycache.click();
    await expect.poll(() => pycache.isChecked()).toBe(false);
    await expect.poll(() => readFile(join(dir, 'condense.yml'), 'utf8')).not.toBe(recipeBefore);
    expect(await image.remainingBytes()).toBeGreaterThanOrEqual(expert);
    await pycache.click();
    await expect.poll(() => pycache.isChecked()).toBe(true);
    await expect.poll(() => image.remainingBytes()).toBe(expert);
    await shell.screenshot('flow-4-image');
    const recipe = await readFile(join(dir, 'condense.yml'), 'utf8');
    expect(recipe).toContain(FIXTURE_BUILDER_IMAGE);
    expect(recipe).toContain('expert');
  });

  it('builds two variants', async () => {
    await shell.go('Build');
    const build = new BuildPage(page);
    const status = await build.buildAll(480_000).finally(() => shell.screenshot('flow-5-build'));
    expect(status).toMatch(/Build finished: 2 variant/);
    // The smoke tests imported the lock's modules without being told which.
    const smoke = await page.getByRole('list', { name: 'Smoke tests' }).textContent();
    expect(smoke).toMatch(/default: passed, imported .*numpy/);
    expect(smoke).toMatch(/expert: passed, imported .*numpy/);
  });

  it('compares both variants: real sizes, expert smaller than safe, smoke tests passed', async () => {
    await shell.go('Results');
    const results = new ResultsPage(page);
    await results.table.waitFor();
    const rows = await results.rows();
    expect(rows.map((r) => r.Variant?.split(' ')[0])).toEqual(['default', 'expert']);
    // Real binaries: python, numpy and OpenBLAS make images of tens of MiB, and the expert
    // preset removes more of them than the safe one (the default variant's preset).
    const sizes = rows.map((r) => sizeBytes(r.Total));
    for (const [i, size] of sizes.entries()) {
      expect(size, JSON.stringify(rows[i])).toBeGreaterThan(20 * 1024 ** 2);
    }
    expect(sizes[1]).toBeLessThan(sizes[0]!);
    console.log(`full flow sizes: ${rows.map((r) => `${r.Variant} ${r.Total}`).join(', ')}`);
    for (const row of rows) {
      expect(Number(row.Layers), JSON.stringify(row)).toBeGreaterThan(0);
      expect(row['Smoke test'], JSON.stringify(row)).toMatch(/^passed, imported /);
      for (const module of ['click', 'numpy']) expect(row['Smoke test']).toContain(module);
      // Packaging tools are not what the smoke test is about (see lockImportModules).
      expect(row['Smoke test']).not.toMatch(/\bpip\b|setuptools/);
    }
    await results.totals.waitFor();
    await shell.screenshot('flow-6-results');
  });

  it('a custom rule deleting numpy/core fails the smoke test and is shown as breaking', async () => {
    await shell.go('Image');
    const image = new ImagePage(page);
    // The new variant starts from the expert rules being edited, plus the glob.
    await image.selectVariant('expert');
    await image.addVariant('broken');
    await image.selectVariant('broken');
    const glob = 'lib/python3.11/site-packages/numpy/core';
    await image.addCustomRule(glob);
    await expect.poll(() => readFile(join(dir, 'condense.yml'), 'utf8')).toContain(glob);
    await shell.go('Build');
    // default and expert come from the BuildKit cache; only broken's prune stage is new.
    const status = await new BuildPage(page).buildAll(480_000);
    // A failed smoke test reads as a failure, not as a finished build.
    expect(status).toMatch(/^Smoke test failed for broken/);
    expect(await page.getByRole('list', { name: 'Build steps' }).textContent()).not.toMatch(
      /running|waiting/,
    );
    await shell.go('Results');
    const rows = (await new ResultsPage(page).rows()).slice(0, 3);
    expect(rows.map((r) => r.Variant?.split(' ')[0])).toEqual(['default', 'expert', 'broken']);
    expect(rows[0]!['Smoke test']).toMatch(/^passed, imported /);
    expect(rows[1]!['Smoke test']).toMatch(/^passed, imported /);
    expect(rows[2]!['Smoke test']).toMatch(/^failed: .*exited 1: .*(numpy|core)/i);
    expect(sizeBytes(rows[2]!.Total)).toBeLessThan(sizeBytes(rows[1]!.Total));
    await shell.go('Image');
    await image.selectVariant('broken');
    const note = image.customRule(glob).getByRole('note');
    await expect
      .poll(() => note.textContent())
      .toMatch(/^Broke the smoke test in build \S+ \(broken failed, expert passed without it\)/);
    await shell.screenshot('flow-6b-breaking-rule');
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

  it('every screen in light and dark, with no serious accessibility problem', async () => {
    await page.keyboard.press('Escape'); // the export dialog
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const step of [
        'Projects',
        'Environment',
        'Lock',
        'Image',
        'Build',
        'Results',
      ] as const) {
        await shell.go(step);
        await shell.screenshot(`screen-${scheme}-${step.toLowerCase()}`);
        const problems = await seriousAxeProblems(page);
        expect(problems, `${step} (${scheme})`).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
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

  it('a reload returns to the same screen of the same project', async () => {
    await shell.go('Image');
    expect(page.url()).toContain('#/project/');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Image' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Steps' }).textContent()).toContain(PROJECT);
  });
});
