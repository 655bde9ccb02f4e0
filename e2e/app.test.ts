import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { available, chromiumRequirement } from '../test/support/requirements';
import { launchChromium, watchProblems } from './support/browser';
import { AppShell } from './support/pages/app-shell';
import { ProjectsPage } from './support/pages/projects-page';
import type { ServedApp } from './support/serve';
import { startServe } from './support/serve';

const chromium = available('Chromium', chromiumRequirement());

/** Opens a raw WebSocket from inside the page; resolves 'open' or 'closed:<code>'. */
function socketOutcome(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (target) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(target);
        socket.onopen = () => {
          socket.close();
          resolve('open');
        };
        socket.onclose = (event) => resolve(`closed:${event.code}`);
      }),
    url,
  );
}

describe.skipIf(!chromium)('browser mode in Chromium (condense serve)', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServe(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    if (app) expect(await app.stop()).toBe(0);
  });

  it('refuses the page without its token and says where the token is', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${app.origin}/`);
    expect(response?.status()).toBe(401);
    await expect(page.locator('body').textContent()).resolves.toContain('?token=');
    await page.close();
  });

  it('loads the UI with the token and talks to the real handlers without errors', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const response = await page.goto(app.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const projects = new ProjectsPage(page);
    await projects.heading.waitFor();
    // The recent list came over the WebSocket from the real project service (empty config dir).
    await page.getByText('No recent projects').waitFor();
    expect(await socketOutcome(page, `ws://127.0.0.1:${app.port}/api`)).toBe('open');
    await new AppShell(page).screenshot('browser-projects-empty');
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('creates a project through the UI: files on disk, recent list', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(app.url);
    const projects = new ProjectsPage(page);
    const shell = new AppShell(page);
    const dir = join(app.dirs.projects, 'demo');
    await projects.create(dir);
    await page.getByRole('heading', { level: 2, name: /Environment/ }).waitFor();
    expect((await stat(join(dir, 'environment.yml'))).isFile()).toBe(true);
    expect((await stat(join(dir, 'condense.yml'))).isFile()).toBe(true);
    await shell.screenshot('browser-environment-new-project');
    await shell.go('Projects');
    await expect.poll(() => projects.recent.textContent()).toContain(dir);
    await shell.screenshot('browser-projects-recent');
    // Browser mode has no native folder picker (dialog:pickFolder refuses there): no Browse… button.
    expect(await page.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('is keyboard reachable with a visible focus ring on the Projects screen', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await new ProjectsPage(page).heading.waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        // Runs in the page; the Node-side types have no DOM.
        const doc = (globalThis as unknown as { document: { activeElement: unknown } }).document;
        const el = doc.activeElement as {
          tagName: string;
          textContent: string | null;
          getAttribute(name: string): string | null;
        } | null;
        const style = (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { outlineStyle: string; boxShadow: string };
          }
        ).getComputedStyle(el);
        return {
          name: `${el?.tagName}:${el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? ''}`,
          ring: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
        };
      });
      // After the last control, focus leaves the page (body) before it wraps around.
      if (focused.name.startsWith('BODY:')) continue;
      expect(focused.ring, `no visible focus on ${focused.name}`).toBe(true);
      reached.add(focused.name);
    }
    expect([...reached].some((n) => n.includes('Create project'))).toBe(true);
    expect([...reached].some((n) => n.startsWith('INPUT'))).toBe(true);
    await page.close();
  });

  it('refuses a WebSocket opened by another site even when it knows the token', async () => {
    // Another origin on 127.0.0.1 (cookies are not port-isolated, so only the Origin check stops it).
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other site</title>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const page = await browser.newPage();
    try {
      await page.goto(app.url); // sets the cookie in this browser
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const target = `ws://127.0.0.1:${app.port}/api?token=${app.token}`;
      expect(await socketOutcome(page, target)).toBe('closed:1006');
    } finally {
      await page.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});
