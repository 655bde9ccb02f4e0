import type { Locator, Page } from 'playwright-core';

/** The Results screen and the export dialog it opens. */
export class ResultsPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: 'Results' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Variants compared' });
  }

  get totals(): Locator {
    return this.page.getByRole('img', { name: 'Total image size per variant' });
  }

  /**
   * Variant rows of the comparison table, latest build first, each cell keyed by its column header
   * ("Variant", "Total"...); the builds' heading rows are left out.
   */
  async rows(): Promise<Record<string, string>[]> {
    const headers = (await this.table.locator('thead th').allTextContents()).map((h) => h.trim());
    const rows = this.table.locator('tbody tr').filter({ has: this.page.locator('td') });
    const out: Record<string, string>[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = await rows.nth(i).locator('th, td').allTextContents();
      out.push(Object.fromEntries(headers.map((h, j) => [h, (cells[j] ?? '').trim()])));
    }
    return out;
  }

  /** Opens Export…, writes into `dir`, waits for the list of exported files and returns it. */
  async export(dir: string): Promise<string[]> {
    await this.page.getByRole('button', { name: 'Export…' }).first().click();
    const dialog = this.page.getByRole('dialog', { name: 'Export' });
    await dialog.getByLabel('Export folder').fill(dir);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const list = dialog.getByRole('list', { name: 'Exported files' });
    await list.waitFor();
    return list.locator('li').allTextContents();
  }
}
