import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/support/requirements';

/** Debian's Chromium through playwright-core, with this machine's offline flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** What went wrong in a page: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems {
  errors: string[];
}

export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.errors.push(`http ${response.status()}: ${response.url()}`);
  });
  return problems;
}
