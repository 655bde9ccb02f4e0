import type { Locator, Page } from 'playwright-core';

/** The Image screen: base images, variants, presets, prune rule switches, size bar, Dockerfile. */
export class ImagePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: 'Image' });
  }

  get sizeBar(): Locator {
    return this.page.getByRole('meter', { name: 'Estimated environment size' });
  }

  get rules(): Locator {
    return this.page.getByRole('list', { name: 'Prune rules' });
  }

  rule(title: string | RegExp): Locator {
    return this.rules.getByRole('switch', { name: title });
  }

  /** Types into a field and leaves it (the screen saves on blur). */
  async setField(label: string, value: string): Promise<void> {
    const field = this.page.getByLabel(label, { exact: true });
    await field.fill(value);
    await field.blur();
  }

  /** Builds and checks run on this network (the test engine has no bridge: host). */
  async setNetwork(mode: 'default' | 'host' | 'none'): Promise<void> {
    // The label wraps the select, so its accessible name also carries the selected option.
    await this.page.getByRole('combobox', { name: /^Network/ }).selectOption(mode);
  }

  async setBaseImages(builder: string, runtime: string): Promise<void> {
    await this.setField('Builder image', builder);
    await this.setField('Runtime image', runtime);
  }

  async addVariant(name: string): Promise<void> {
    await this.page.getByLabel('New variant').fill(name);
    await this.page.getByRole('button', { name: 'Add variant' }).click();
    await this.page.getByRole('option', { name, exact: true }).waitFor({ state: 'attached' });
  }

  async selectVariant(name: string): Promise<void> {
    // The label wraps the select, so its accessible name also carries the selected option.
    await this.page.getByRole('combobox', { name: /^Variant/ }).selectOption(name);
  }

  async preset(label: 'No pruning' | 'Safe' | 'Expert'): Promise<void> {
    await this.page
      .getByRole('group', { name: 'Presets' })
      .getByRole('button', { name: label })
      .click();
  }

  /** Adds a custom prune glob to the variant being edited and waits for it in the rule list. */
  async addCustomRule(glob: string): Promise<void> {
    await this.page.getByLabel('Custom prune glob').fill(glob);
    await this.page.getByRole('button', { name: 'Add custom rule' }).click();
    await this.customRule(glob).waitFor();
  }

  /**
   * A custom rule's row in the rule list (with its "broke the smoke test" note, if any); a glob with
   * a reason is inside its reason's group, listed once the group is expanded (`expandCustomGroup`).
   */
  customRule(glob: string): Locator {
    return (
      this.page
        .getByRole('list', { name: 'Prune rules' })
        .getByRole('listitem')
        .filter({ has: this.page.getByRole('button', { name: `Remove custom rule ${glob}` }) })
        // Not the group's row around it.
        .filter({ hasNot: this.page.getByRole('list') })
    );
  }

  /** Unfolds the group of custom rules whose reason (the button's name) matches. */
  async expandCustomGroup(reason: RegExp): Promise<void> {
    const button = this.page
      .getByRole('list', { name: 'Prune rules' })
      .getByRole('button', { name: reason });
    if ((await button.getAttribute('aria-expanded')) === 'false') await button.click();
  }

  /** The size bar's remaining bytes (aria-valuenow), for checking that toggles shrink it. */
  async remainingBytes(): Promise<number> {
    return Number(await this.sizeBar.getAttribute('aria-valuenow'));
  }
}
