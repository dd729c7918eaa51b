import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

const MATIH_HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const SEED = path.join(__dirname, '..', 'seed_runs.py');

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

test.describe('MATIH side panel', () => {
  test('lists, sorts, filters and compares runs', async ({ page }, testInfo) => {
    const matih = new MatihPanel(page);
    await matih.open();

    await matih.selectExperiment('quickstart-demo');
    await expect(matih.runsTable.getByRole('rowheader', { name: 'demo-01', exact: true })).toBeVisible();
    await expect(matih.pagerStatus).toHaveText('1–12 of 12 runs');
    expect(await matih.runNames()).toHaveLength(12);
    const link = matih.runsTable.getByRole('link', { name: 'demo-01', exact: true });
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:5999\/#\/experiments\/\d+\/runs\/\w+$/);

    // Sort on the server by a metric: first click descending, second ascending.
    await matih.sortBy('accuracy');
    await expect(matih.runsTable.getByRole('columnheader', { name: 'accuracy' })).toHaveAttribute(
      'aria-sort',
      'descending'
    );
    const descending = (await matih.columnValues('accuracy')).map(Number);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    expect((await matih.runNames())[0]).toBe('demo-08'); // the seed gives demo-08 the best accuracy

    await matih.sortBy('accuracy');
    const ascending = (await matih.columnValues('accuracy')).map(Number);
    expect(ascending).toEqual([...descending].reverse());
    expect((await matih.runNames())[0]).toBe('demo-01');

    // Pick columns: hide a metric, then show it again.
    await matih.setColumnVisible('loss', false);
    await expect(matih.runsTable.getByRole('columnheader', { name: 'loss' })).toHaveCount(0);
    await matih.setColumnVisible('loss', true);
    await expect(matih.runsTable.getByRole('columnheader', { name: 'loss' })).toBeVisible();

    // A malformed filter: the server's message inline, the table untouched.
    await matih.filter('metrics.accuracy >>> 0.9');
    await expect(matih.filterError).toBeVisible();
    await expect(matih.filterError).not.toBeEmpty();
    await expect(matih.filterBox).toHaveAttribute('aria-invalid', 'true');
    await expect(matih.pagerStatus).toHaveText('1–12 of 12 runs');
    await screenshot(page, matih, testInfo, 'panel-filter-error-light');

    // A valid filter narrows the page and clears the error.
    await matih.filter("params.model = 'rf'");
    await expect(matih.filterError).toBeHidden();
    await expect(matih.pagerStatus).toHaveText('1–4 of 4 runs');
    await matih.filter('');
    await expect(matih.pagerStatus).toHaveText('1–12 of 12 runs');

    // Select two runs and compare them.
    await matih.selectRun('demo-01');
    await matih.selectRun('demo-02');
    await expect(matih.compareButton).toHaveText('Compare (2)');
    await expect(matih.compareButton).toBeEnabled();

    await matih.compare();
    const params = matih.comparison.getByRole('table', { name: 'Params' });
    await expect(params.locator('tr.jp-mod-differs').first()).toBeVisible();
    await expect(params.getByRole('row', { name: /model/ })).toHaveClass(/jp-mod-differs/);
    const metrics = matih.comparison.getByRole('table', { name: 'Metrics' });
    await expect(metrics.locator('td.jp-mod-best')).toHaveCount(2);
    await expect(matih.comparison.locator('.js-plotly-plot .main-svg').first()).toBeVisible();
    await expect(matih.comparison.locator('.js-plotly-plot .parcoords').first()).toBeAttached();
    await screenshot(page, matih, testInfo, 'comparison-light');

    await page.theme.setDarkTheme();
    await expect(matih.comparison.locator('.js-plotly-plot .main-svg').first()).toBeVisible();
    await screenshot(page, matih, testInfo, 'comparison-dark');
  });

  test('refreshes live when another process logs a run', async ({ page }) => {
    const matih = new MatihPanel(page);
    await matih.open();
    await matih.selectExperiment('quickstart-demo');
    await expect(matih.pagerStatus).toHaveText(/of (\d+) runs/);
    const before = Number((await matih.pagerStatus.innerText()).match(/of (\d+)/)?.[1]);

    // A plain MLflow client in another process: the server's watcher emits RUNS_CHANGED on the stream.
    execFileSync(process.env.PYTHON ?? 'python', [SEED, MATIH_HOME, '--add', 'live-run']);
    await expect(matih.pagerStatus).toHaveText(`1–${before + 1} of ${before + 1} runs`, { timeout: 20000 });
    await expect(matih.runsTable.getByRole('rowheader', { name: 'live-run' })).toBeVisible();
  });

  test('explains how to enable a missing server extension', async ({ page }) => {
    await page.route('**/matih/api/v1/info*', route => route.fulfill({ status: 404, body: 'Not Found' }));
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const matih = new MatihPanel(page);
    await matih.open(360);
    await expect(matih.panel.getByRole('alert')).toContainText(
      'jupyter server extension enable matih_workbench_server'
    );
  });
});
