import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { available, chromiumRequirement } from '../test/support/requirements';
import { launchChromium, watchProblems } from './support/browser';
import { AppShell } from './support/pages/app-shell';
import { ImagePage } from './support/pages/image-page';
import { ProjectsPage } from './support/pages/projects-page';
import type { ServedApp } from './support/serve';
import { startServe } from './support/serve';

/**
 * A hand edit of condense.yml while the app is open, in Chromium against `condense serve` and the
 * real recipe service on real files: the app's next save is refused and the user decides. The
 * tests run in order in one page: the second starts from the file the first left.
 */
const chromium = available('Chromium', chromiumRequirement());

describe.skipIf(!chromium)('condense.yml edited by hand while the app is open', () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let image: ImagePage;
  let file: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServe(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(app.url);
    const dir = join(app.dirs.projects, 'hand-edit');
    await new ProjectsPage(page).create(dir);
    await page.getByRole('heading', { level: 2, name: /Environment/ }).waitFor();
    await new AppShell(page).go('Image');
    image = new ImagePage(page);
    file = join(dir, 'condense.yml');
  });

  afterAll(async () => {
    await browser?.close();
    if (app) expect(await app.stop()).toBe(0);
  });

  const conflict = () => page.getByRole('alert', { name: 'condense.yml changed on disk' });
  const pip = () => image.rule(/^pip \(/);

  /** Edits the file as an editor would: `change` maps its text to the saved text. */
  async function editByHand(change: (text: string) => string): Promise<string> {
    const text = change(await readFile(file, 'utf8'));
    await writeFile(file, text);
    return text;
  }

  it('refuses the stale save, keeps the hand edit, and reloads it on request', async () => {
    const problems = watchProblems(page);
    // The new project's file holds only comments and the version: the port is added.
    const handEdit = await editByHand((text) => `${text}port: 8181 # moved by hand\n`);
    await pip().click();
    await conflict().waitFor();
    expect(await conflict().textContent()).toContain(
      'condense.yml changed on disk since Condense read it',
    );
    expect(await readFile(file, 'utf8')).toBe(handEdit);
    await new AppShell(page).screenshot('image-recipe-conflict');
    const toggled = await pip().isChecked();
    await conflict().getByRole('button', { name: 'Reload from disk' }).click();
    await conflict().waitFor({ state: 'detached' });
    expect(await pip().isChecked()).toBe(!toggled);
    expect(await readFile(file, 'utf8')).toBe(handEdit);
    // Changes after the reload are based on the hand-edited file and keep it.
    await pip().click();
    await expect.poll(() => readFile(file, 'utf8')).not.toBe(handEdit);
    expect(await readFile(file, 'utf8')).toContain('port: 8181 # moved by hand');
    expect(await conflict().count()).toBe(0);
    expect(problems.errors).toEqual([]);
  });

  it('"Keep my change" writes the app\'s recipe over the new file, comments kept', async () => {
    // Every field is in the file now (the app saved it): the user value is changed in place.
    await editByHand((text) => {
      expect(text).toMatch(/^user: /m);
      return text.replace(/^user: .*$/m, '# a note for the team\nuser: "1000:1000"');
    });
    await pip().click();
    await conflict().waitFor();
    const wanted = await pip().isChecked();
    await conflict().getByRole('button', { name: 'Keep my change' }).click();
    await conflict().waitFor({ state: 'detached' });
    await expect.poll(() => readFile(file, 'utf8')).not.toContain('user: "1000:1000"');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# a note for the team');
    expect(text).toContain('port: 8181 # moved by hand');
    expect(await pip().isChecked()).toBe(wanted);
  });
});
