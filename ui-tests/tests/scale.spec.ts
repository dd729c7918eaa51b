import { expect, test } from '@jupyterlab/galata';

import { MatihPanel } from './helpers/MatihPanel';

/**
 * A UI timing run, not part of the default suite (playwright.config.js only includes it when the store is
 * given): 10,000 runs stay smooth because only one page of 100 is ever loaded.
 *
 *   MATIH_UI_SCALE_HOME=../benchmarks/.cache/tracking-10000 jlpm test tests/scale.spec.ts
 */
test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

test('pages, sorts and filters 10,000 runs on the server', async ({ page }, testInfo) => {
  const matih = new MatihPanel(page);
  await matih.open();

  const timed = async (label: string, action: () => Promise<void>): Promise<void> => {
    const start = Date.now();
    await action();
    const ms = Date.now() - start;
    testInfo.annotations.push({ type: 'timing', description: `${label}: ${ms} ms` });
    console.log(`${label}: ${ms} ms`);
  };

  await timed('open experiment (first page)', async () => {
    await matih.selectExperiment('bench');
    await expect(matih.pagerStatus).toHaveText('1–100 of 10,000 runs');
  });
  expect(await matih.runNames()).toHaveLength(100);

  await timed('next page', async () => {
    await matih.panel.getByRole('button', { name: 'Next page' }).click();
    await expect(matih.pagerStatus).toHaveText('101–200 of 10,000 runs');
  });
  await timed('previous page', async () => {
    await matih.panel.getByRole('button', { name: 'Previous page' }).click();
    await expect(matih.pagerStatus).toHaveText('1–100 of 10,000 runs');
  });
  await timed('sort by m0', async () => {
    await matih.sortBy('m0');
  });
  const values = (await matih.columnValues('m0')).map(Number);
  expect(values).toEqual([...values].sort((a, b) => b - a));

  await timed('filter metrics.m0 > 0.5', async () => {
    await matih.filter('metrics.m0 > 0.5');
    await expect(matih.pagerStatus).toHaveText(/^1–100 of [\d,]+ runs$/);
  });
  expect(await matih.runsTable.locator('tbody tr').count()).toBe(100);
});
