import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, type Locator } from '@playwright/test';

export const PANEL_ID = 'matih-workbench-panel';

/** Page object of the MATIH side panel and its comparison tab; role locators only where possible. */
export class MatihPanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get panel(): Locator {
    return this.page.getByRole('region', { name: 'MATIH Workbench' });
  }

  get runsTable(): Locator {
    return this.panel.getByRole('table', { name: 'Runs' });
  }

  get filterBox(): Locator {
    return this.panel.getByRole('searchbox', { name: 'Filter runs' });
  }

  get filterError(): Locator {
    return this.panel.locator('#jp-matih-filter-error');
  }

  /** "1–12 of 12 runs". */
  get pagerStatus(): Locator {
    return this.panel.getByRole('navigation', { name: 'Runs pages' }).getByRole('status');
  }

  get compareButton(): Locator {
    return this.panel.getByRole('button', { name: 'Compare' });
  }

  /** The comparison tab in the main area. */
  get comparison(): Locator {
    return this.page.locator('.jp-matih-comparison');
  }

  /** One of the panel's tabs: Runs, Jobs, Models, Deployments. */
  tab(name: string): Locator {
    return this.panel.getByRole('tablist', { name: 'MATIH views' }).getByRole('tab', { name: new RegExp(`^${name}`) });
  }

  async openTab(name: string): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
  }

  get jobsTable(): Locator {
    return this.panel.getByRole('table', { name: 'Training jobs' });
  }

  /** The row of a training job, found by its id. */
  jobRow(jobId: string): Locator {
    return this.jobsTable.locator(`tr[data-job-id="${jobId}"]`);
  }

  /** The row of the newest training job of an experiment (rows are newest first). */
  jobRowOf(experiment: string): Locator {
    return this.jobsTable.locator('tbody tr', { has: this.page.getByRole('button', { name: `Open the runs of ${experiment}` }) }).first();
  }

  /** The cell of a job row under a column header (Status, Trials, Best, Elapsed, Started). */
  async jobCell(jobId: string, column: string): Promise<Locator> {
    const headers = await this.jobsTable.locator('thead th').allInnerTexts();
    const index = headers.findIndex(text => text.trim() === column);
    expect(index, `column ${column} in ${headers.join(' | ')}`).toBeGreaterThan(0);
    return this.jobRow(jobId).locator(`:scope > :nth-child(${index + 1})`);
  }

  /** Run a command from the command palette by its label. */
  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+C');
    await this.page.locator('.lm-CommandPalette-input').fill(label);
    await this.page.keyboard.press('Enter');
  }

  get registry(): Locator {
    return this.panel.getByRole('region', { name: 'Model registry' });
  }

  get versionsTable(): Locator {
    return this.registry.getByRole('table', { name: 'Versions' });
  }

  /** The stage badge of a version in the versions table. */
  versionStage(version: number): Locator {
    return this.versionsTable.locator(`tr[data-version="${version}"] .jp-matih-stage`);
  }

  get history(): Locator {
    return this.registry.getByRole('list', { name: 'History' });
  }

  get deployments(): Locator {
    return this.panel.getByRole('region', { name: 'Deployments' });
  }

  get deploymentsTable(): Locator {
    return this.deployments.getByRole('table', { name: 'Deployments' });
  }

  /** What the Deployments tab says when nothing is deployed. */
  get deploymentsEmpty(): Locator {
    return this.deployments.locator('.jp-matih-empty');
  }

  async open(width = 720): Promise<void> {
    await this.page.sidebar.openTab(PANEL_ID);
    await this.page.sidebar.setWidth(width, 'left');
    await expect(this.panel).toBeVisible();
  }

  async selectExperiment(name: string): Promise<void> {
    await this.panel.getByRole('option', { name: new RegExp(`^${name}`) }).click();
    await expect(this.runsTable).toBeVisible();
  }

  /** Run names of the current page, in table order. */
  async runNames(): Promise<string[]> {
    return this.runsTable.locator('tbody th[scope="row"]').allInnerTexts();
  }

  /** The texts of one column of the runs table, in row order. */
  async columnValues(label: string): Promise<string[]> {
    const headers = await this.runsTable.locator('thead th').allInnerTexts();
    const index = headers.findIndex(text => text.replace(/[▲▼]/g, '').trim() === label);
    expect(index, `column ${label} in ${headers.join(' | ')}`).toBeGreaterThan(0);
    return this.runsTable.locator(`tbody tr > :nth-child(${index + 1})`).allInnerTexts();
  }

  async sortBy(label: string): Promise<void> {
    const header = this.runsTable.getByRole('columnheader', { name: label, exact: true });
    const before = await header.getAttribute('aria-sort');
    await header.getByRole('button').click();
    await expect(header).not.toHaveAttribute('aria-sort', before ?? 'none');
    await expect(this.runsTable).toHaveAttribute('aria-busy', 'false');
  }

  /** Show or hide a param/metric column through the Columns menu (closed again afterwards). */
  async setColumnVisible(label: string, visible: boolean): Promise<void> {
    await this.panel.getByText(/^Columns \(/).click();
    await this.panel.getByRole('group', { name: 'Visible columns' }).getByRole('checkbox', { name: label, exact: true }).setChecked(visible);
    await this.page.keyboard.press('Escape');
    await expect(this.panel.getByRole('group', { name: 'Visible columns' })).toBeHidden();
  }

  async filter(text: string): Promise<void> {
    await this.filterBox.fill(text);
    await this.filterBox.press('Enter');
  }

  async selectRun(name: string): Promise<void> {
    await this.panel.getByRole('checkbox', { name: `Select run ${name}` }).check();
  }

  async compare(): Promise<void> {
    await this.compareButton.click();
    await expect(this.comparison.getByRole('table', { name: 'Params' })).toBeVisible();
  }
}
