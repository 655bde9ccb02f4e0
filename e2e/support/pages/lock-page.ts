import type { Locator, Page } from 'playwright-core';

/** The Lock screen: lock or relock, progress, resolved packages, stale badge, diff. */
export class LockPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: /Lock/ });
  }

  get packages(): Locator {
    return this.page.getByRole('table', { name: 'Resolved packages' });
  }

  /** Presses Lock (or Relock) and waits for the job to end; returns the screen's status text. */
  async lock(timeout = 120_000): Promise<void> {
    await this.page.getByRole('button', { name: /^(Lock environment|Relock)$/ }).click();
    await this.page.getByRole('status').filter({ hasText: 'Locked.' }).waitFor({ timeout });
  }
}
