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

  /** Adds a channel (name or URL) at the end of the list. */
  async addChannel(channel: string): Promise<void> {
    await this.page.getByLabel('Channel name or URL').fill(channel);
    await this.page.getByRole('button', { name: 'Add channel', exact: true }).click();
    await this.channels.getByText(channel, { exact: true }).waitFor();
  }

  async removeChannel(channel: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove channel ${channel}`, exact: true }).click();
    await this.channels.getByText(channel, { exact: true }).waitFor({ state: 'detached' });
  }

  /** Searches for a name and presses its Add button once the result shows. */
  async add(name: string): Promise<void> {
    await this.search.fill(name);
    const button = this.results.getByRole('button', { name: `Add ${name}`, exact: true });
    await button.click();
    await this.page.getByRole('button', { name: `Remove ${name}`, exact: true }).waitFor();
  }
}
