import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { TestInfo } from '@playwright/test';
import * as path from 'path';

import type { MatihPanel } from './MatihPanel';

export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-results');

/** `test-results/matih-NAME.png` (the page) and `matih-NAME-panel.png` (the side panel), attached to the report. */
export async function screenshot(
  page: IJupyterLabPageFixture,
  matih: MatihPanel,
  testInfo: TestInfo,
  name: string
): Promise<void> {
  await page.waitForTimeout(300); // let Plotly and CSS transitions finish
  const file = path.join(SCREENSHOTS, `matih-${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  const panelFile = path.join(SCREENSHOTS, `matih-${name}-panel.png`);
  await matih.panel.screenshot({ path: panelFile });
  await testInfo.attach(`${name}-panel`, { path: panelFile, contentType: 'image/png' });
}
