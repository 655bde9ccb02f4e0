import type { Locator, Page } from 'playwright-core';

/** The Environment screen: package search and add, dependencies, python, channel order. */
export class EnvironmentPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: /Environment/ });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search packages' });
  }

  get results(): Locator {
    return this.page.getByRole('list', { name: 'Search results' });
  }

  get channels(): Locator {
    return this.page.getByRole('list', { name: 'Channels' });
  }

  /** Searches for a name and presses its Add button once the result shows. */
  async add(name: string): Promise<void> {
    await this.search.fill(name);
    const button = this.results.getByRole('button', { name: `Add ${name}`, exact: true });
    await button.click();
    await this.page.getByRole('button', { name: `Remove ${name}`, exact: true }).waitFor();
  }
}
