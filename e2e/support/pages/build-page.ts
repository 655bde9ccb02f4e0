import type { Locator, Page } from 'playwright-core';

/** The Build screen: variants to build, start, cancel, status, steps and log. */
export class BuildPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: 'Build' });
  }

  get status(): Locator {
    return this.page
      .getByRole('status', { name: 'Build status' })
      .filter({ hasText: /Build (finished|failed|cancelled)|Smoke test failed/ });
  }

  /** Starts the build of every listed variant and waits for it to end; returns the status text. */
  async buildAll(timeout = 600_000): Promise<string> {
    // A second build on the same page: the first one's status stays until the new job starts.
    const previous = (await this.status.count()) > 0 ? await this.status.textContent() : null;
    await this.page.getByRole('button', { name: /^Start build/ }).click();
    if (previous !== null) {
      await this.page
        .getByRole('button', { name: 'Cancel build' })
        .or(this.status.filter({ hasNotText: previous }))
        .first()
        .waitFor({ timeout });
    }
    await this.status.waitFor({ timeout });
    return (await this.status.textContent()) ?? '';
  }
}
