import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { FeaturesPanel } from './helpers/FeaturesPanel';
import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

/**
 * Seeded by ui-tests/seed_features.py before the test (the server is up, its store fresh; seeding it before
 * the server starts would not fit Playwright's three minutes): the bundled demo repository of the store, with
 * `driver_hourly_stats` (TTL one day) materialized up to two days ago and `driver_profile` never materialized,
 * and `ui-features` v1 in Staging trained on the `driver_activity` service (both views). The test
 * materializes both views: it expects the fresh store of a new test server (`jlpm test` starts one).
 */
const HOURLY = 'driver_hourly_stats';
const PROFILE = 'driver_profile';
const SEED = path.join(__dirname, '..', 'seed_features.py');
const HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const PYTHON =
  process.env.MATIH_UI_PYTHON ??
  (process.env.VIRTUAL_ENV ? path.join(process.env.VIRTUAL_ENV, 'bin', 'python') : 'python3');

test.use({ autoGoto: true, viewport: { width: 1400, height: 1200 } });

test.describe('MATIH features', () => {
  test.beforeAll(() => {
    test.setTimeout(300_000); // Feast, a materialization, a training set and a registered model
    execFileSync(PYTHON, [SEED, HOME], { stdio: 'inherit' });
  });

  test('shows freshness, a view with its rows and models, checks it and materializes', async ({
    page
  }, testInfo) => {
    test.setTimeout(180_000);
    const matih = new MatihPanel(page);
    const features = new FeaturesPanel(matih);
    await matih.open(900);
    await matih.openTab('Features');

    // Freshness against each view's TTL: the hourly stats are two days old (TTL one day), the profile never
    // materialized; both flagged stale.
    // The server imports Feast on its first feature request: seconds, more on a loaded machine.
    await expect(features.summary).toContainText('2 feature views, 2 stale', { timeout: 90_000 });
    await expect(features.freshness(HOURLY)).toHaveText(/^stale · 2(\.\d)?d old$/);
    await expect(features.freshness(PROFILE)).toHaveText('stale · never materialized');
    await expect(features.row(HOURLY)).toHaveClass(/jp-mod-stale/);
    await expect(features.row(HOURLY)).toContainText('driver_activity');
    await expect(features.row(PROFILE).locator('td').nth(1)).toHaveText('never');
    const entities = features.view.getByRole('table', { name: 'Entities' });
    await expect(entities.getByRole('row', { name: /^driver driver_id/ })).toBeVisible();
    const services = features.view.getByRole('table', { name: 'Feature services' });
    await expect(services.locator('tr[data-service="driver_activity"]')).toContainText(
      `${HOURLY}: conv_rate, acc_rate, avg_daily_trips`
    );

    // A view: statistics over its offline source, newest rows, and the model trained on it.
    const detail = await features.select(HOURLY);
    const stats = detail.getByRole('table', { name: 'Feature statistics' });
    await expect(stats.locator('tbody th')).toHaveText(['conv_rate', 'acc_rate', 'avg_daily_trips']);
    // acc_rate is sometimes null in the demo data; conv_rate never.
    await expect(stats.locator('tr[data-feature="conv_rate"] td').nth(1)).toHaveText('0%');
    await expect(stats.locator('tr[data-feature="acc_rate"] td').nth(1)).toHaveText(/^[1-9][\d.]*%$/);
    const rows = detail.getByRole('table', { name: `Sample rows of ${HOURLY}` });
    await expect(rows.locator('tbody tr')).toHaveCount(10);
    await expect(rows.locator('thead th')).toContainText(['driver_id', 'conv_rate', 'acc_rate']);
    const users = detail.getByRole('list', { name: `Models using ${HOURLY}` });
    await expect(users.getByRole('listitem')).toHaveCount(1);
    await expect(users.getByRole('listitem', { name: 'ui-features version 1' })).toContainText('Staging');

    // Online against offline as of the last materialization (two days ago): consistent.
    await detail.getByRole('button', { name: 'Check consistency' }).click();
    const check = detail.getByRole('region', { name: `Consistency of ${HOURLY}` });
    await expect(check).toContainText(/^Consistent: \d+ values of 5 entities, online equal to offline as of/);
    await screenshot(page, matih, testInfo, 'features-view');

    // Materialize every online view up to now, in the background: the tab follows the job, then the event
    // stream's FEATURES_MATERIALIZED reloads the freshness.
    await features.materializeButton.click();
    await expect(features.outcome).toHaveText(/^Materialized 2 views up to /, { timeout: 120_000 });
    await expect(features.view.getByRole('alert')).toHaveCount(0);
    await expect(features.summary).toContainText('2 feature views, 0 stale');
    await expect(features.freshness(HOURLY)).toHaveText(/^fresh · \d+[sm] old$/);
    await expect(features.freshness(PROFILE)).toHaveText(/^fresh · \d+[sm] old$/);
    await expect(features.materializeButton).toHaveText('Materialize');
    await expect(features.materializeButton).toBeEnabled();
    // The check of the older materialization is gone; a new one compares against the new one.
    await expect(check).toHaveCount(0);
    await detail.getByRole('button', { name: 'Check consistency' }).click();
    await expect(check).toContainText(/^Consistent: \d+ values of \d+ entities/);

    // The other view now has online values too, and the same model.
    const profile = await features.select(PROFILE);
    await expect(profile.getByRole('listitem', { name: 'ui-features version 1' })).toContainText('Staging');
    await profile.getByRole('button', { name: 'Check consistency' }).click();
    await expect(profile.getByRole('region', { name: `Consistency of ${PROFILE}` })).toContainText(
      /^Consistent: \d+ values of 5 entities/
    );
    await screenshot(page, matih, testInfo, 'features-materialized');
  });
});
