import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { RESULTS_DIR } from '../renderer-build';

export type StepName = 'Projects' | 'Environment' | 'Lock' | 'Image' | 'Build' | 'Results';

export const SCREENSHOT_DIR = join(RESULTS_DIR, 'screenshots');

/** The frame around every screen: the step navigation and screenshots kept as artifacts. */
export class AppShell {
  constructor(readonly page: Page) {}

  get steps(): Locator {
    return this.page.getByRole('navigation', { name: 'Steps' });
  }

  step(name: StepName): Locator {
    return this.steps.getByRole('button', { name: new RegExp(name) });
  }

  async go(name: StepName): Promise<void> {
    await this.step(name).click();
    await this.page.getByRole('heading', { level: 2, name }).waitFor();
  }

  /** Saves `test-results/screenshots/<name>.png` and returns its path. */
  async screenshot(name: string): Promise<string> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }
}
