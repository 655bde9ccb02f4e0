import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { defaultRepository } from '../electron/services/build/build-request';
import type { ServedChannel } from '../test/support/channels';
import { serveRealisticChannel } from '../test/support/channels';
import { connectDocker } from '../test/support/docker';
import { dockerHost } from '../test/support/requirements';
import { freePort, writeServiceRecipe } from '../test/support/service-project';
import { removeRepository } from '../test/support/test-images';
import {
  createTraceServiceProject,
  traceServiceRecipe,
} from '../test/support/trace-service-project';
import { seriousAxeProblems } from './support/axe';
import type { PageProblems } from './support/browser';
import { launchChromium, watchProblems } from './support/browser';
import { fullStackReady, sizeBytes } from './support/full-stack';
import { AppShell, SCREENSHOT_DIR } from './support/pages/app-shell';
import { BuildPage } from './support/pages/build-page';
import { ImagePage } from './support/pages/image-page';
import { ProjectsPage } from './support/pages/projects-page';
import { ResultsPage } from './support/pages/results-page';
import { TracePanel } from './support/pages/trace-panel';
import type { ServedApp } from './support/serve';
import { startServe } from './support/serve';

/**
 * "What does the image use?" in Chromium against `condense serve`, the real trace service and the
 * real engine: the trace service fixture (an SQLite file read from C, a dlopen of libuuid, imports
 * inside the request handler) is built on the Build screen, traced from the Results screen, and its
 * traced variant created, re-checked and written to condense.yml. The steps run in order in one page.
 */
const ready = await fullStackReady();

// Builds tag condense/<project folder>:<variant>; a unique name keeps runs apart and cleanable.
const PROJECT = `e2e-trace-${Date.now().toString(36)}`;

describe.skipIf(!ready)('tracing from the Results screen (real server and engine)', () => {
  let channel: ServedChannel;
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let shell: AppShell;
  let panel: TracePanel;
  let dir: string;

  beforeAll(async () => {
    channel = (await serveRealisticChannel())!;
    [app, browser] = await Promise.all([
      startServe({ DOCKER_HOST: dockerHost() }),
      launchChromium(),
    ]);
    dir = join(app.dirs.projects, PROJECT);
    // Locked with the server's own cache, so the app finds the repodata the lock used.
    await createTraceServiceProject(dir, channel.url, app.dirs.cache);
    // network: host (the test engine has no bridge); the service check asks /report.
    await writeServiceRecipe(dir, traceServiceRecipe(await freePort()));
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    problems = watchProblems(page);
    shell = new AppShell(page);
    panel = new TracePanel(page);
    await page.goto(app.url);
    await new ProjectsPage(page).open(dir);
    await page.getByRole('heading', { level: 2, name: /Environment/ }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    if (app) {
      const code = await app.stop();
      expect(code, app.log()).toBe(0);
    }
    await channel?.close();
    if (ready && dir) await removeRepository(connectDocker(), defaultRepository(dir));
  });

  it('builds the service on the Build screen', async () => {
    await shell.go('Build');
    const status = await new BuildPage(page)
      .buildAll(600_000)
      .finally(() => shell.screenshot('trace-0-build'));
    expect(status).toMatch(/^Build finished: 1 variant/);
  });

  it('traces the built variant: progress meanwhile, then the figures and the treemap', async () => {
    await shell.go('Results');
    await panel.region.scrollIntoViewIfNeeded();
    // Nothing traced yet: the panel says so and offers the built variant.
    await panel.region.getByText(/has not been traced yet/).waitFor();
    expect(await panel.variant.inputValue()).toBe('default');
    await panel.traceButton.click();
    await panel.progress.waitFor();
    expect(await panel.progress.textContent()).toMatch(/^Tracing default: /);
    expect(await panel.traceButton.isDisabled()).toBe(true);
    await panel.screenshot('trace-1-progress');
    // The report, then the end of the job (the Trace button is back).
    await panel.figures.waitFor({ timeout: 480_000 });
    await expect.poll(() => panel.traceButton.isEnabled(), { timeout: 120_000 }).toBe(true);
    expect(await panel.alert.count(), (await panel.alert.allTextContents()).join('\n')).toBe(0);

    const used = sizeBytes(await panel.figure('Used').textContent());
    const shipped = sizeBytes(await panel.figure('Shipped').textContent());
    const base = sizeBytes(await panel.figure('Base').textContent());
    const limit = sizeBytes(await panel.figure('Limit').textContent());
    console.log(`trace figures: used ${used}, shipped ${shipped}, base ${base}, limit ${limit}`);
    expect(used).toBeGreaterThan(0);
    expect(limit).toBeGreaterThan(used);
    expect(limit).toBeLessThan(shipped);
    // Rounded figures: used + base is the limit to within their three digits.
    expect(Math.abs(used + base - limit) / limit).toBeLessThan(0.02);

    // The limit picture and the treemap carry names a screen reader reads.
    expect(await panel.limitChart.getAttribute('aria-label')).toMatch(/default \d/);
    await panel.treemap.waitFor();
    // Runs in the page; the Node-side types have no DOM.
    const names: string[] = await panel.cells.evaluateAll((cells) =>
      cells.map(
        (c) =>
          (c as unknown as { getAttribute(name: string): string | null }).getAttribute(
            'aria-label',
          ) ?? '',
      ),
    );
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name).toMatch(/^.+: .+, used \S+ \S+ of \S+ \S+ shipped/);
    // What only the right request uses: the C-read database and the dlopen'ed library.
    expect(
      names.some((n) => /^\(your files\): .*used [1-9]/.test(n)),
      names.join('\n'),
    ).toBe(true);
    expect(
      names.some((n) => /^libuuid: .*used [1-9]/.test(n)),
      names.join('\n'),
    ).toBe(true);
    // Keyboard: one tab stop, whose box is described below the map.
    await panel.cells.first().focus();
    await expect
      .poll(() => panel.treemap.locator('xpath=..').locator('.chart-detail').textContent())
      .toMatch(/used .* shipped/);
    await panel.cells.first().blur();

    // The checks the trace ran, all passed.
    const probes = await panel.region
      .getByRole('list', { name: 'What the checks exercised' })
      .textContent();
    expect(probes).toMatch(/Service: .*\/report/);
    expect(probes).not.toMatch(/failed/);
    // The Results table shows the limit beside the traced image's size.
    const rows = await new ResultsPage(page).rows();
    expect(rows[0]?.Total).toMatch(/limit \d/);
  });

  it('the panel in light and dark, with no serious accessibility problem', async () => {
    // The pointer stays where the Trace button was, now over the treemap: move it away.
    await page.mouse.move(0, 0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await panel.region.scrollIntoViewIfNeeded();
      await panel.screenshot(`trace-2-report-${scheme}`);
      expect(await seriousAxeProblems(page), scheme).toEqual([]);
    }
    // The treemap's numbers as a table too.
    await panel.region.getByRole('button', { name: 'Show as a table' }).click();
    await panel.region
      .getByRole('table', { name: 'Used and shipped by package and folder' })
      .waitFor();
    expect(await seriousAxeProblems(page), 'dark, table shown').toEqual([]);
    await panel.region.getByRole('button', { name: 'Hide the table' }).click();
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('creates the traced variant: built, re-checked, written to condense.yml and listed', async () => {
    await panel.createButton.click();
    await panel.progress.waitFor();
    expect(await panel.progress.textContent()).toMatch(
      /^Tracing and building the traced variant of default: /,
    );
    const verified = panel.region
      .getByRole('status')
      .filter({ hasText: /^The traced variant passed every check/ });
    await verified
      .or(panel.alert)
      .first()
      .waitFor({ timeout: 900_000 })
      .finally(() => panel.screenshot('trace-3-suggestion'));
    expect(await panel.alert.count(), (await panel.alert.allTextContents()).join('\n')).toBe(0);
    expect(await verified.textContent()).toMatch(
      /was written to condense\.yml\. Its image: [\d.]+ \S+, against [\d.]+ \S+ for default\.$/,
    );
    const rules = panel.region.getByRole('table', { name: 'Suggested rules' });
    expect(await rules.locator('tbody tr').count()).toBeGreaterThan(0);

    // Written to condense.yml, beside the single image (now the variant `default`).
    const recipe = parse(await readFile(join(dir, 'condense.yml'), 'utf8')) as {
      variants?: { id: string; prune?: { custom?: unknown[] } }[];
    };
    const traced = recipe.variants?.find((v) => v.id === 'traced');
    expect(traced?.prune?.custom?.length).toBeGreaterThan(0);

    // The panel still shows default's trace; once the history and condense.yml are read again,
    // both variants can be traced, in condense.yml's order.
    expect(await panel.variant.inputValue()).toBe('default');
    await panel.figures.waitFor();
    await expect
      .poll(() => panel.variant.locator('option').allTextContents())
      .toEqual(['default', 'traced']);
    // Its build is listed on Results, smaller than default.
    const results = new ResultsPage(page);
    const variantOf = (r: Record<string, string>) => r.Variant?.split(' ')[0];
    await expect.poll(async () => (await results.rows()).map(variantOf)).toContain('traced');
    const rows = await results.rows();
    const total = (name: string) => sizeBytes(rows.find((r) => variantOf(r) === name)?.Total);
    expect(total('traced')).toBeLessThan(total('default'));
    console.log(`trace sizes: default ${total('default')}, traced ${total('traced')}`);
    await panel.region.scrollIntoViewIfNeeded();
    await panel.screenshot('trace-4-written');
    await shell.screenshot('trace-5-results');

    // And it is a variant of the recipe on the Image screen, with its custom rules grouped by reason,
    // and its estimate is measured: its forced whole-folder globs (`ssl`, `share`) once made the
    // analysis fail. The size bar counts the custom globs: traced is smaller than default, both `safe`.
    await shell.go('Image');
    const image = new ImagePage(page);
    await image.selectVariant('default');
    await image.sizeBar.waitFor({ timeout: 120_000 });
    const defaultRemaining = await image.remainingBytes();
    await image.selectVariant('traced');
    await page.getByText('Estimated size of traced').waitFor();
    await image.expandCustomGroup(/^ssl: /);
    await image.customRule('ssl').waitFor();
    await image.sizeBar.waitFor({ timeout: 120_000 });
    expect(await page.getByText(/Could not measure the savings/).count()).toBe(0);
    // Once the analysis has measured the traced variant's globs (it runs again for the new variant).
    await expect
      .poll(() => image.remainingBytes(), { timeout: 120_000 })
      .toBeLessThan(defaultRemaining);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    // The viewport only (the rules go on below it).
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'trace-6-image-traced.png') });
    expect(problems.errors).toEqual([]);
  });
});
