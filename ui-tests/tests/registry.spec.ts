import { expect, test } from '@jupyterlab/galata';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

test.use({ autoGoto: true, viewport: { width: 1600, height: 1200 } });

test.describe('MATIH model registry', () => {
  test('promotes a version through Staging to Production with an approval', async ({ page }, testInfo) => {
    const matih = new MatihPanel(page);
    await matih.open(760);
    await matih.runCommand('Show MATIH model registry');
    await expect(matih.tab('Models')).toHaveAttribute('aria-selected', 'true');

    // Seeded through the service layer: alice asks for fraud-detector v1 in Production; galata may decide.
    const approvals = matih.registry.getByRole('region', { name: 'Pending approvals' });
    await expect(approvals.getByRole('listitem', { name: 'Promotion of fraud-detector v1' })).toBeVisible();
    await expect(matih.tab('Models')).toContainText('1');

    const churn = matih.registry.getByRole('option', { name: /^churn-classifier/ });
    await expect(churn.locator('.jp-matih-stage')).toHaveText(['Production v1']);
    await churn.click();
    await expect(matih.versionStage(1)).toHaveText('Production');
    await expect(matih.versionStage(2)).toHaveText('Development');
    await expect(matih.versionStage(3)).toHaveText('Development');

    // v3 fails a threshold: the checks are shown before anything is asked, and the move cannot be confirmed.
    await matih.versionsTable.getByRole('button', { name: 'Version 3' }).click();
    await matih.registry.getByRole('button', { name: 'Promote to Staging' }).click();
    const preview = matih.registry.getByRole('region', { name: 'Checks for Staging' });
    const checks = preview.getByRole('table', { name: 'Governance checks' });
    await expect(checks.getByRole('row', { name: /auc >= 0\.8/ })).toContainText('✗ fail');
    await expect(checks.getByRole('row', { name: /accuracy >= 0\.75/ })).toContainText('✓ pass');
    await expect(preview.getByRole('alert')).toContainText('auc = 0.7 (needs >= 0.8)');
    await expect(preview.getByRole('button', { name: 'Move to Staging' })).toBeDisabled();
    await screenshot(page, matih, testInfo, 'registry-checks-failing-light');
    await preview.getByRole('button', { name: 'Cancel' }).click();

    // v2 passes: to Staging at once, with a reason.
    await matih.versionsTable.getByRole('button', { name: 'Version 2' }).click();
    const card = matih.registry.getByRole('region', { name: 'Model card of version 2' });
    await expect(card).toContainText('auc = 0.90302');
    await expect(card).toContainText('4f2a9c1e0b (main) notebooks/churn.ipynb');
    await expect(card.getByRole('table', { name: 'Fairness' })).toContainText('demographic parity difference');
    const markdown = await matih.registry.getByRole('link', { name: 'Markdown' }).getAttribute('href');
    const download = await page.request.get(markdown ?? '');
    expect(download.ok()).toBe(true);
    expect(download.headers()['content-disposition']).toContain('churn-classifier-v2-card.md');
    expect(await download.text()).toContain('churn-classifier');
    await matih.registry.getByRole('button', { name: 'Promote to Staging' }).click();
    await expect(checks.getByRole('row', { name: /auc >= 0\.8/ })).toContainText('✓ pass');
    await preview.getByRole('textbox', { name: 'Reason' }).fill('better AUC on the holdout');
    await preview.getByRole('button', { name: 'Move to Staging' }).click();
    await expect(matih.registry.getByRole('status').filter({ hasText: 'Version 2 is now Staging' })).toBeVisible();
    await expect(matih.versionStage(2)).toHaveText('Staging');
    await expect(churn.locator('.jp-matih-stage')).toHaveText(['Production v1', 'Staging v2']);

    // Production needs an approval: the request shows up for those who may decide it.
    await matih.registry.getByRole('button', { name: 'Request Production' }).click();
    const toProd = matih.registry.getByRole('region', { name: 'Checks for Production' });
    await expect(toProd.getByRole('status')).toContainText('a request goes to an owner or lead');
    await toProd.getByRole('textbox', { name: 'Reason' }).fill('Q3 retention campaign');
    await toProd.getByRole('button', { name: 'Send for approval' }).click();
    await expect(matih.versionsTable.locator('tr[data-version="2"]')).toContainText('approval pending');
    const request = approvals.getByRole('listitem', { name: 'Promotion of churn-classifier v2' });
    await expect(request).toContainText('Staging → Production, requested by galata');
    await expect(request).toContainText('Q3 retention campaign');
    await expect(matih.tab('Models')).toContainText('2');
    await screenshot(page, matih, testInfo, 'registry-approval-light');

    await request.getByRole('textbox', { name: 'Comment' }).fill('numbers check out');
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect(request).toBeHidden();
    await expect(matih.versionStage(2)).toHaveText('Production');
    await expect(matih.versionStage(1)).toHaveText('Archived');
    await expect(churn.locator('.jp-matih-stage')).toHaveText(['Production v2']);

    // The history tells the whole story, newest first.
    const entries = matih.history.getByRole('listitem');
    await expect(entries.nth(0)).toContainText('galata moved v2 Staging → Production');
    await expect(entries.nth(0)).toContainText('numbers check out');
    await expect(entries.nth(1)).toContainText('galata archived v1 Production → Archived');
    await expect(entries.nth(2)).toContainText('galata requested promotion of v2 Staging → Production');
    await expect(entries.nth(3)).toContainText('galata moved v2 Development → Staging');
    await expect(entries.nth(3)).toContainText('better AUC on the holdout');

    // Alice's request: rejected with a reason, the inbox empties.
    const fraud = approvals.getByRole('listitem', { name: 'Promotion of fraud-detector v1' });
    await fraud.getByRole('textbox', { name: 'Comment' }).fill('needs a fairness review first');
    await fraud.getByRole('button', { name: 'Reject' }).click();
    await expect(approvals).toBeHidden();
    await expect(matih.tab('Models')).not.toContainText('1');
    await screenshot(page, matih, testInfo, 'registry-promoted-light');

    await page.theme.setDarkTheme();
    await expect(matih.versionStage(2)).toHaveText('Production');
    await screenshot(page, matih, testInfo, 'registry-promoted-dark');
  });
});
