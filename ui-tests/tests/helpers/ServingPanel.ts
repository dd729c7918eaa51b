import type { Locator } from '@playwright/test';

import type { MatihPanel } from './MatihPanel';

/** Page object of the Deployments tab: the deploy form and one card per endpoint; role locators. */
export class ServingPanel {
  constructor(readonly matih: MatihPanel) {}

  get view(): Locator {
    return this.matih.deployments;
  }

  get form(): Locator {
    return this.view.getByRole('form', { name: 'Deploy a model version' });
  }

  /** "2 endpoints · 3 versions deployed". */
  get summary(): Locator {
    return this.view.locator(':scope > .jp-matih-note[role="status"]');
  }

  get empty(): Locator {
    return this.view.locator(':scope > .jp-matih-empty');
  }

  /** Fill the deploy form and submit it; the server may take a minute (a Ray Serve application starts). */
  async deploy(options: { model: string; version?: string; endpoint?: string }): Promise<void> {
    await this.form.getByLabel('Model').fill(options.model);
    await this.form.getByLabel('Version').fill(options.version ?? '');
    await this.form.getByLabel('Endpoint').fill(options.endpoint ?? '');
    await this.form.getByRole('button', { name: 'Deploy' }).click();
  }

  endpoint(name: string): Locator {
    return this.view.getByRole('article', { name: `Endpoint ${name}` });
  }

  versionRow(name: string, version: string): Locator {
    return this.endpoint(name).getByRole('table', { name: `Versions of ${name}` }).locator(`tr[data-version="${version}"]`);
  }

  slider(name: string, version: string): Locator {
    return this.endpoint(name).getByRole('slider', { name: `Traffic of version ${version}` });
  }

  percent(name: string, version: string): Locator {
    return this.endpoint(name).getByRole('spinbutton', { name: `Traffic percent of version ${version}` });
  }

  /** Drag a traffic slider with the mouse from its current thumb position to `share` percent of its track. */
  async dragSlider(name: string, version: string, share: number): Promise<void> {
    const slider = this.slider(name, version);
    await slider.scrollIntoViewIfNeeded();
    const box = await slider.boundingBox();
    if (box === null) {
      throw new Error(`The traffic slider of version ${version} is not visible`);
    }
    const { x, y, width, height } = box;
    const thumb = 8; // half the width of Chromium's default thumb
    const at = (value: number) => x + thumb + ((width - 2 * thumb) * value) / 100;
    const current = Number(await slider.inputValue());
    await this.matih.page.mouse.move(at(current), y + height / 2);
    await this.matih.page.mouse.down();
    await this.matih.page.mouse.move(at(share), y + height / 2, { steps: 12 });
    await this.matih.page.mouse.up();
  }

  /** The per-version live stats row of an endpoint. */
  statsRow(name: string, version: string): Locator {
    return this.endpoint(name).getByRole('table', { name: `Requests of ${name}` }).locator(`tr[data-version="${version}"]`);
  }

  requests(name: string, version: string): Locator {
    return this.statsRow(name, version).locator('.jp-matih-stat-requests');
  }
}
