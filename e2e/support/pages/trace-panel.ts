import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { SCREENSHOT_DIR } from './app-shell';

/** The Results screen's "What does the image use?" panel: trace, report, suggested variant. */
export class TracePanel {
  constructor(readonly page: Page) {}

  get region(): Locator {
    return this.page.getByRole('region', { name: 'What does the image use?' });
  }

  get variant(): Locator {
    // The label wraps the select, so its accessible name also carries the selected option.
    return this.region.getByRole('combobox', { name: /^Variant/ });
  }

  get traceButton(): Locator {
    return this.region.getByRole('button', { name: 'Trace', exact: true });
  }

  get createButton(): Locator {
    return this.region.getByRole('button', { name: 'Create the traced variant' });
  }

  /** The running trace's status (phase message and progress bar). */
  get progress(): Locator {
    return this.region.getByRole('status').filter({ has: this.page.getByRole('progressbar') });
  }

  get figures(): Locator {
    return this.region.getByRole('group', { name: 'Figures' });
  }

  /** A figure's value by its term (Used, Shipped, Base, Limit). */
  figure(term: string): Locator {
    return this.figures
      .locator('dl > div')
      .filter({ has: this.page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
      .locator('dd')
      .first();
  }

  get limitChart(): Locator {
    return this.region.getByRole('img', {
      name: /^Measured size of each variant against the limit/,
    });
  }

  get treemap(): Locator {
    return this.region.getByRole('group', { name: 'Used and unused, by package and folder' });
  }

  /** The treemap's boxes, each an image named by package, folder and bytes. */
  get cells(): Locator {
    return this.treemap.getByRole('img');
  }

  get alert(): Locator {
    return this.region.getByRole('alert');
  }

  /** Saves the panel alone as `test-results/screenshots/<name>.png`. */
  async screenshot(name: string): Promise<string> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await this.region.screenshot({ path });
    return path;
  }
}
