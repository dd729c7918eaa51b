import { expect, test } from '@jupyterlab/galata';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

test.describe('MATIH serving', () => {
  test('shows the Deployments tab, empty until a version is deployed', async ({ page }, testInfo) => {
    const matih = new MatihPanel(page);
    await matih.open();

    // The tab comes after the existing ones.
    const tabs = matih.panel.getByRole('tablist', { name: 'MATIH views' }).getByRole('tab');
    await expect(tabs).toHaveText(['Runs', /^Jobs/, /^Models/, 'Deployments']);

    await matih.openTab('Deployments');
    await expect(matih.deployments).toBeVisible();
    await expect(matih.deployments.getByRole('status')).toHaveText('0 deployments · 0 endpoints');
    await expect(matih.deploymentsEmpty).toContainText('No deployments yet');
    await expect(matih.deploymentsEmpty.locator('code')).toHaveText('%matih deploy MODEL@production');
    await expect(matih.deploymentsTable).toHaveCount(0);
    await expect(matih.deployments.getByRole('alert')).toHaveCount(0);
    await screenshot(page, matih, testInfo, 'deployments-empty-light');

    await page.theme.setDarkTheme();
    await expect(matih.deploymentsEmpty).toBeVisible();
    await screenshot(page, matih, testInfo, 'deployments-empty-dark');

    // The palette command opens the same tab from another one.
    await matih.openTab('Runs');
    await matih.runCommand('Show MATIH deployments');
    await expect(matih.tab('Deployments')).toHaveAttribute('aria-selected', 'true');
    await expect(matih.deploymentsEmpty).toContainText('No deployments yet');
  });
});
