import type { Locator } from '@playwright/test';

import type { MatihPanel } from './MatihPanel';

/** Page object of the Features tab: the views table, a view's detail, materialization; role locators. */
export class FeaturesPanel {
  constructor(readonly matih: MatihPanel) {}

  get view(): Locator {
    return this.matih.panel.getByRole('region', { name: 'Features' });
  }

  /** "2 feature views, 1 stale · project ... · sqlite online store". */
  get summary(): Locator {
    return this.view.locator('.jp-matih-features-toolbar > [role="status"]');
  }

  get viewsTable(): Locator {
    return this.view.getByRole('table', { name: 'Feature views' });
  }

  /** The row of a feature view. */
  row(name: string): Locator {
    return this.viewsTable.locator(`tr[data-view="${name}"]`);
  }

  /** The freshness cell of a view's row: "stale · 2d old", "fresh · 3s old". */
  freshness(name: string): Locator {
    return this.row(name).locator('.jp-matih-freshness');
  }

  async select(name: string): Promise<Locator> {
    await this.view.getByRole('button', { name: `Show the feature view ${name}` }).click();
    return this.detail(name);
  }

  detail(name: string): Locator {
    return this.view.getByRole('region', { name: `Feature view ${name}` });
  }

  get materializeButton(): Locator {
    return this.view.getByRole('button', { name: /^Materializ/ });
  }

  /** How the last materialization started here ended. */
  get outcome(): Locator {
    return this.view.locator('.jp-matih-materialize-outcome');
  }
}
