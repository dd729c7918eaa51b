import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

/**
 * Seeded by ui-tests/seed_monitoring.py: `ui-monitoring` v1 with its baseline, rules over one day, and 300
 * requests from two hours ago drifted on `spend` only. The endpoint row is added here and removed after, so
 * the Deployments tab of the other specs still starts from no endpoint.
 */
const ENDPOINT = 'ui-monitoring';
const SEED = path.join(__dirname, '..', 'seed_monitoring.py');
const HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const PYTHON =
  process.env.MATIH_UI_PYTHON ??
  (process.env.VIRTUAL_ENV ? path.join(process.env.VIRTUAL_ENV, 'bin', 'python') : 'python3');

function endpointRow(action: 'add' | 'remove'): void {
  execFileSync(PYTHON, [SEED, HOME, '--endpoint', action], { stdio: 'inherit' });
}

test.use({ autoGoto: true, viewport: { width: 1400, height: 1100 } });

test.describe('MATIH monitoring', () => {
  test.beforeAll(() => endpointRow('add'));
  test.afterAll(() => endpointRow('remove'));

  test('shows the drifted endpoint, its drift per feature, and checks it now', async ({ page }, testInfo) => {
    const matih = new MatihPanel(page);
    await matih.open(760);
    await matih.openTab('Monitoring');
    const view = matih.panel.getByRole('region', { name: 'Monitoring' });
    const endpoints = view.getByRole('table', { name: 'Monitored endpoints' });
    const row = endpoints.locator(`tr[data-endpoint="${ENDPOINT}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText('ui-monitoring v1');
    // Health over the last day: 300 answered requests, no error, a p95 latency.
    await expect(row.locator('td').nth(3)).toHaveText('0%');
    await expect(row.locator('td').nth(4)).toHaveText(/^\d+(\.\d+)?$/);

    await row.getByRole('button', { name: `Show the drift of ${ENDPOINT}` }).click();
    const detail = view.getByRole('region', { name: `Drift of ${ENDPOINT}` });
    const features = detail.getByRole('table', { name: 'Feature drift' }).locator('tbody tr');
    await expect(features).toHaveCount(4);
    await expect(features.first().locator('th')).toHaveText('spend');
    await expect(features.first()).toContainText('drifted');
    for (const i of [1, 2, 3]) {
      await expect(features.nth(i)).toContainText('stable');
    }
    await expect(detail.locator('.jp-matih-drift-summary')).toContainText('1 of 4 features drifted');

    const chart = detail.getByRole('figure', { name: `Drift per feature of ${ENDPOINT}` });
    await expect(chart.locator('.barlayer .point')).toHaveCount(4);
    // The drifted feature comes first (the top category), red and labelled "drifted".
    await expect(chart.locator('.ytick text')).toHaveCount(4);
    const top = await chart
      .locator('.ytick text')
      .evaluateAll(ticks =>
        ticks.map(t => ({ text: t.textContent, y: t.getBoundingClientRect().y })).sort((a, b) => a.y - b.y)
      );
    expect(top[0].text).toBe('spend');
    await expect(chart.locator('.barlayer .bartext', { hasText: 'drifted' })).toHaveCount(1);
    await screenshot(page, matih, testInfo, 'monitoring-drift');

    // A feature's row shows its reference vs current distributions: overlaid bars on the shared bins.
    await detail.getByRole('button', { name: 'Show the distributions of spend' }).click();
    const spend = detail.getByRole('region', { name: 'Feature spend' });
    await expect(spend).toContainText('drifted');
    const distribution = spend.getByRole('figure', { name: 'Distribution of spend' });
    await expect(distribution.locator('.barlayer .trace')).toHaveCount(2);
    await expect(distribution.locator('.legendtext')).toHaveText(['reference', 'current']);
    await expect(distribution.locator('.barlayer .point').first()).toBeVisible();

    await detail.getByRole('button', { name: `Check ${ENDPOINT} now` }).click();
    const outcome = detail.locator('.jp-matih-check-outcome[role="status"]');
    await expect(outcome).toContainText(/Checked 1,500 rows of v1: .*drift/);
    await expect(detail.getByRole('alert')).toHaveCount(0);
    await expect(detail.getByRole('figure', { name: `Drift history of ${ENDPOINT}` })).toBeVisible();
    const alerts = view.getByRole('table', { name: 'Open alerts' });
    await expect(alerts.locator('tbody tr').first()).toContainText(ENDPOINT);
    if (/new alert/.test((await outcome.textContent()) ?? '')) {
      // The alert's event comes back through the event stream: a notification names the endpoint.
      await expect(toast(page, /Drift detected on endpoint 'ui-monitoring'/)).toBeVisible();
    }
    await expect(row.locator('td').nth(1)).toContainText('25% (1)');

    // The score of spend at each check (drifted: above the threshold line at 1), still shown after the reload.
    const score = spend.getByRole('figure', { name: 'Drift score of spend over time' });
    await expect(score.locator('.scatterlayer .point').first()).toBeVisible();
    await expect(score.locator('.annotation-text', { hasText: 'threshold' })).toHaveCount(1);
    await expect(score.locator('.shapelayer path')).toHaveCount(1);
    // Error rate and p95 latency over the window's buckets.
    const health = detail.getByRole('figure', { name: `Health of ${ENDPOINT} over time` });
    await expect(health.locator('.legendtext')).toHaveText(['error rate', 'p95 latency']);
    await expect(health.locator('.scatterlayer .point').first()).toBeVisible();
    await screenshot(page, matih, testInfo, 'monitoring-checked');

    // A bar of the drift chart selects its feature: plan is categorical, grouped bars per category.
    const order = await features.evaluateAll(rows => rows.map(r => r.getAttribute('data-feature')));
    const bar = chart.locator('.barlayer .point').nth(order.indexOf('plan'));
    await chart.scrollIntoViewIfNeeded();
    const box = await bar.boundingBox();
    if (box === null) {
      throw new Error('The bar of plan is not drawn');
    }
    // Near the bar's visible end: on a log axis a bar starts far left of the plot, clipped.
    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
    const plan = detail.getByRole('figure', { name: 'Distribution of plan' });
    await expect(plan.locator('.xtick text')).toHaveText(['basic', 'plus', 'pro']);
    await expect(plan.locator('.barlayer .trace')).toHaveCount(2);
    await expect(detail.getByRole('button', { name: 'Show the distributions of plan' })).toHaveAttribute(
      'aria-pressed',
      'true'
    );
    await expect(spend).toHaveCount(0);
    await screenshot(page, matih, testInfo, 'monitoring-feature');

    // From the keyboard: a feature's button, then Hide.
    await detail.getByRole('button', { name: 'Show the distributions of visits' }).focus();
    await page.keyboard.press('Enter');
    await expect(detail.getByRole('figure', { name: 'Distribution of visits' })).toBeVisible();
    await detail.getByRole('button', { name: 'Hide the distributions of visits' }).press('Enter');
    await expect(detail.getByRole('region', { name: 'Feature visits' })).toHaveCount(0);
  });

  test('shows the server refusing the drift of a window without traffic', async ({ page }) => {
    const matih = new MatihPanel(page);
    await matih.open(760);
    await matih.openTab('Monitoring');
    const view = matih.panel.getByRole('region', { name: 'Monitoring' });
    await view.getByRole('button', { name: `Show the drift of ${ENDPOINT}` }).click();
    const detail = view.getByRole('region', { name: `Drift of ${ENDPOINT}` });
    await expect(detail.getByRole('table', { name: 'Feature drift' })).toBeVisible();

    await view.getByRole('combobox', { name: 'Monitoring window' }).selectOption('1h');
    const refusal = detail.getByRole('alert');
    await expect(refusal).toContainText(`No answered request of endpoint '${ENDPOINT}'`);
    await expect(detail.getByRole('table', { name: 'Feature drift' })).toHaveCount(0);
    // The tab still works: back to the day, the drift is back.
    await view.getByRole('combobox', { name: 'Monitoring window' }).selectOption('1d');
    await expect(detail.getByRole('table', { name: 'Feature drift' })).toBeVisible();
    await expect(refusal).toHaveCount(0);
  });
});

function toast(page: { locator: (selector: string) => Locator }, text: RegExp): Locator {
  return page.locator('.Toastify').getByText(text).first();
}
