import type { Locator, Page } from 'playwright-core';

/** The Projects screen: a folder field, Create/Open, and the recent list. */
export class ProjectsPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: 'Projects' });
  }

  get folder(): Locator {
    return this.page.getByLabel('Project folder');
  }

  get recent(): Locator {
    return this.page.getByRole('list', { name: 'Recent projects' });
  }

  async create(dir: string, name?: string): Promise<void> {
    await this.folder.fill(dir);
    if (name) await this.page.getByLabel(/Name for a new project/).fill(name);
    await this.page.getByRole('button', { name: 'Create project' }).click();
  }

  /** Opens a project from the recent list by its name. */
  async openRecent(name: string): Promise<void> {
    await this.recent.getByRole('button', { name, exact: true }).click();
  }

  async open(dir: string): Promise<void> {
    await this.folder.fill(dir);
    await this.page.getByRole('button', { name: 'Open project' }).click();
  }
}
