import { expect, test } from '@jupyterlab/galata';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';
import { ServingPanel } from './helpers/ServingPanel';

/** Seeded by ui-tests/seed_serving.py: two LinearRegression versions of `ui-serving`, both in Staging. */
const MODEL = 'ui-serving';
const ENDPOINT = 'ui-serving';
const REQUESTS = 200;
/** The serving head starts on the first deploy (~30 s), then the first application (~40 s), on a busy machine. */
const DEPLOY_TIMEOUT = 240_000;

test.use({ autoGoto: true, viewport: { width: 1600, height: 1200 } });

/** POST `count` scoring requests to the endpoint from Node, four at a time; the versions that answered. */
async function score(url: string, count: number): Promise<Record<string, number>> {
  const answered: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        // Never a whole number: JSON would send `1`, an integer, for a double column of the signature.
        body: JSON.stringify({ dataframe_records: [{ x1: (i % 11) / 5 - 0.987, x2: (i % 7) / 7 + 0.01 }] })
      });
      const body = (await response.json()) as { version?: string; predictions?: number[]; message?: string };
      expect(response.status, body.message).toBe(200);
      expect(body.predictions).toHaveLength(1);
      answered[String(body.version)] = (answered[String(body.version)] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return answered;
}

test.describe('MATIH serving', () => {
  test('deploys two versions, splits traffic with a slider and sees the requests follow', async ({
    page,
    request
  }, testInfo) => {
    test.setTimeout(720_000);
    const matih = new MatihPanel(page);
    const serving = new ServingPanel(matih);
    try {
      await matih.open(760);
      const tabs = matih.panel.getByRole('tablist', { name: 'MATIH views' }).getByRole('tab');
      await expect(tabs).toHaveText(['Runs', /^Jobs/, /^Models/, 'Deployments', 'Monitoring', 'Features']);
      await matih.runCommand('Show MATIH deployments');
      await expect(matih.tab('Deployments')).toHaveAttribute('aria-selected', 'true');
      await expect(serving.summary).toHaveText('0 endpoints · 0 versions deployed');
      await expect(serving.empty).toContainText('No endpoints yet');

      // A version that is not deployable (seeded in Development, left there by registry.spec.ts): the server's
      // refusal shows in the form, nothing is deployed.
      await serving.deploy({ model: 'churn-classifier', version: '3' });
      await expect(serving.form.getByRole('alert')).toContainText('is in Development; deployable stages');
      await expect(serving.endpoint(ENDPOINT)).toHaveCount(0);

      // v1 by number: busy while the serving head and the Ray Serve application start.
      await serving.deploy({ model: MODEL, version: '1' });
      await expect(serving.form.getByRole('button', { name: 'Deploying…' })).toBeDisabled();
      const card = serving.endpoint(ENDPOINT);
      const refused = serving.form.getByRole('alert');
      await expect(card.or(refused)).toBeVisible({ timeout: DEPLOY_TIMEOUT });
      if (/Cannot start the serving Ray head/.test((await refused.allTextContents()).join(' '))) {
        // `ray start` gives its raylet a fixed 30 s to register, which a loaded 2-core machine can miss. The
        // panel says so; the user deploys again, as here (recorded in the report, not hidden).
        testInfo.annotations.push({ type: 'retried', description: await refused.innerText() });
        await serving.form.getByRole('button', { name: 'Deploy' }).click();
        await expect(card.or(refused)).toBeVisible({ timeout: DEPLOY_TIMEOUT });
      }
      await expect(refused).toHaveCount(0);
      await expect(serving.form.getByRole('status')).toContainText(
        `${MODEL} v1 is live behind '${ENDPOINT}' with 100% of the traffic`
      );
      await expect(card.locator('.jp-matih-serve-status')).toHaveText('running', { timeout: 60_000 });
      await expect(serving.slider(ENDPOINT, '1')).toHaveValue('100');
      await expect(serving.slider(ENDPOINT, '1')).toBeDisabled(); // the only live version: nothing to split

      // v2 by reference joins the same endpoint with 0%.
      await serving.deploy({ model: `${MODEL}@2`, endpoint: ENDPOINT });
      await expect(serving.versionRow(ENDPOINT, '2').or(refused)).toBeVisible({ timeout: DEPLOY_TIMEOUT });
      await expect(refused).toHaveCount(0);
      await expect(serving.percent(ENDPOINT, '2')).toHaveValue('0');
      await expect(serving.percent(ENDPOINT, '1')).toHaveValue('100');
      await expect(serving.summary).toHaveText('1 endpoint · 2 versions deployed');
      const apply = card.getByRole('button', { name: 'Apply split' });
      await expect(apply).toBeDisabled();

      // A real drag of v2's slider: its field follows, and v1 takes the rest (two versions are complementary).
      await serving.dragSlider(ENDPOINT, '2', 30);
      const share = Number(await serving.percent(ENDPOINT, '2').inputValue());
      expect(share).toBeGreaterThanOrEqual(15);
      expect(share).toBeLessThanOrEqual(45);
      await expect(serving.slider(ENDPOINT, '2')).toHaveValue(String(share));
      await expect(serving.percent(ENDPOINT, '1')).toHaveValue(String(100 - share));
      await expect(serving.slider(ENDPOINT, '1')).toHaveValue(String(100 - share));
      await expect(apply).toBeEnabled();

      // An invalid share is refused before anything is sent.
      await serving.percent(ENDPOINT, '2').fill('150');
      await expect(card.getByRole('alert')).toContainText('v2: enter a whole percent from 0 to 100');
      await expect(apply).toBeDisabled();
      await serving.percent(ENDPOINT, '2').fill(String(share));
      await expect(serving.percent(ENDPOINT, '1')).toHaveValue(String(100 - share));
      await expect(card.getByRole('alert')).toHaveCount(0);

      // One change for the whole split.
      const puts: string[] = [];
      page.on('request', r => {
        if (r.method() === 'PUT' && r.url().includes(`/endpoints/${ENDPOINT}/traffic`)) {
          puts.push(r.postData() ?? '');
        }
      });
      await apply.click();
      await expect(card.getByRole('status').filter({ hasText: 'Traffic is now' })).toHaveText(
        `Traffic is now v1 ${100 - share}%, v2 ${share}%`
      );
      expect(puts).toEqual([JSON.stringify({ weights: { '1': 100 - share, '2': share } })]);
      await expect(apply).toBeDisabled();

      // Requests from outside the browser, to the URL the panel shows.
      const url = (await card.getByLabel('Endpoint URL').textContent()) ?? '';
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${ENDPOINT}$`));
      const answered = await score(url, REQUESTS);
      const v2 = answered['2'] ?? 0;
      expect((answered['1'] ?? 0) + v2).toBe(REQUESTS);
      // The observed split is the applied one, within 4.5 standard deviations of a binomial draw.
      const p = share / 100;
      const tolerance = 4.5 * Math.sqrt(REQUESTS * p * (1 - p));
      expect(Math.abs(v2 - REQUESTS * p)).toBeLessThanOrEqual(tolerance);

      // The panel's live counts follow, without a reload.
      await expect(serving.requests(ENDPOINT, '1')).toHaveText(String(answered['1'] ?? 0), { timeout: 30_000 });
      await expect(serving.requests(ENDPOINT, '2')).toHaveText(String(v2));
      await expect(serving.statsRow(ENDPOINT, '2').locator('td').nth(3)).not.toHaveText('–'); // p50
      await expect(card.getByLabel('Inference log')).toContainText('0 dropped');
      await expect(card.getByRole('figure', { name: 'Prediction distribution per version' })).toBeVisible();
      await expect(card.getByRole('figure', { name: 'Requests per second per version' })).toBeVisible();
      await card.getByRole('heading', { name: ENDPOINT }).scrollIntoViewIfNeeded();
      await screenshot(page, matih, testInfo, 'deployments-light');
      await card.getByRole('table', { name: `Requests of ${ENDPOINT}` }).scrollIntoViewIfNeeded();
      await screenshot(page, matih, testInfo, 'deployments-stats-light');

      // A canary of v2 starts at its first step and shows where it stands; stopping it puts v2 back to 0%.
      await card.getByText('Start a canary…').click();
      const canary = card.getByRole('region', { name: `Canary of ${ENDPOINT}` });
      await expect(canary.getByRole('combobox', { name: 'Candidate' })).toHaveValue('2');
      await canary.getByRole('textbox', { name: 'Steps' }).fill('10, 50, 100');
      await screenshot(page, matih, testInfo, 'deployments-canary-form-light');
      await canary.getByRole('button', { name: 'Start canary' }).click();
      await expect(canary.getByRole('status')).toHaveText('Canary v2 against v1: rolling out · step 1 of 3 (10%)');
      await expect(canary.getByRole('list', { name: 'Canary steps' }).getByRole('listitem')).toHaveText([
        '10%',
        '50%',
        '100%'
      ]);
      await expect(serving.percent(ENDPOINT, '2')).toHaveValue('10');
      await expect(serving.slider(ENDPOINT, '2')).toBeDisabled(); // the rollout owns the split meanwhile
      await screenshot(page, matih, testInfo, 'deployments-canary-light');
      await canary.getByRole('button', { name: 'Stop canary' }).click();
      await expect(canary.getByRole('status')).toHaveText('Canary v2 against v1: stopped');
      await expect(serving.percent(ENDPOINT, '2')).toHaveValue('0');
      await expect(serving.slider(ENDPOINT, '2')).toBeEnabled();

      await page.theme.setDarkTheme();
      await expect(card).toBeVisible();
      await card.getByRole('table', { name: `Requests of ${ENDPOINT}` }).scrollIntoViewIfNeeded();
      await screenshot(page, matih, testInfo, 'deployments-stats-dark');
      await card.getByRole('heading', { name: ENDPOINT }).scrollIntoViewIfNeeded();
      await screenshot(page, matih, testInfo, 'deployments-dark');
      await matih.open(420); // a narrow sidebar: fields wrap, the versions table scrolls
      await screenshot(page, matih, testInfo, 'deployments-narrow-dark');

      // Undeploy from the panel, in two clicks: nothing is left serving.
      await card.getByRole('button', { name: `Undeploy endpoint ${ENDPOINT}` }).click();
      await card.getByRole('button', { name: `Confirm: Undeploy endpoint ${ENDPOINT}` }).click();
      await expect(card).toHaveCount(0, { timeout: 120_000 });
      await expect(serving.empty).toContainText('No endpoints yet');
      const left = await request.get('/matih/api/v1/endpoints');
      expect((await left.json()).endpoints).toEqual([]);
    } finally {
      // Whatever failed above, leave nothing deployed (404 when already gone).
      await request.delete(`/matih/api/v1/endpoints/${ENDPOINT}`, { timeout: 120_000 }).catch(() => undefined);
    }
  });
});
