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
function socketOutcome(page: Page, url: string, protocols: string[] = []): Promise<string> {
  return page.evaluate(
    ([target, offered]) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(target, offered);
        socket.onopen = () => {
          socket.close();
          resolve('open');
        };
        socket.onclose = (event) => resolve(`closed:${event.code}`);
      }),
    [url, protocols] as const,
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

  it('serves the page without its token but no data, and says where the token is', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${app.origin}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('#token=');
    // The page alone cannot reach the API.
    expect(await socketOutcome(page, `ws://127.0.0.1:${app.port}/api`)).toBe('closed:1006');
    await page.close();
  });

  it('keeps the token out of the address bar, cookies and other 127.0.0.1 ports', async () => {
    // Another local server (a notebook, a dev server) the same browser visits.
    const seen: { cookie?: string; url?: string; authorization?: string }[] = [];
    const other = createServer((req, res) => {
      seen.push({
        cookie: req.headers.cookie,
        url: req.url,
        authorization: req.headers.authorization,
      });
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(app.url);
      await page.getByText('No recent projects').waitFor();
      // The token fragment is gone; what is left of the hash is the screen's route.
      expect(page.url()).toBe(`${app.origin}/#/`);
      expect(page.url()).not.toContain(app.token);
      expect(await context.cookies()).toEqual([]);
      // A reload (token gone from the URL) still connects: the tab kept it in sessionStorage.
      await page.reload();
      await page.getByText('No recent projects').waitFor();
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      await page.goto(otherUrl);
      await page.goto(`${otherUrl}again`);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const request of seen) {
        expect(request.cookie).toBeUndefined();
        expect(request.authorization).toBeUndefined();
        expect(request.url).not.toContain(app.token);
      }
      // The history has no entry carrying the token either.
      await page.goBack();
      await page.goBack();
      expect(page.url()).not.toContain(app.token);
    } finally {
      await context.close();
      await new Promise((resolve) => other.close(resolve));
    }
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
    expect(
      await socketOutcome(page, `ws://127.0.0.1:${app.port}/api`, [
        'condense',
        `condense.token.${app.token}`,
      ]),
    ).toBe('open');
    await new AppShell(page).screenshot('browser-projects-empty');
    expect(problems.errors).toEqual([]);
    // Without the token the same page's socket is refused.
    expect(await socketOutcome(page, `ws://127.0.0.1:${app.port}/api`)).toBe('closed:1006');
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
    // Another origin on 127.0.0.1 that learnt the token: the Origin check still stops it.
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other site</title>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const target = `ws://127.0.0.1:${app.port}/api`;
      expect(await socketOutcome(page, target, ['condense', `condense.token.${app.token}`])).toBe(
        'closed:1006',
      );
    } finally {
      await page.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});
