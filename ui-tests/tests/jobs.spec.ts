import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

const MATIH_HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const SEED_JOBS = path.join(__dirname, '..', 'seed_jobs.py');

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

/** Write what a kernel running `%%matih train` writes (runs and events), from another process. */
function kernel(...args: string[]): void {
  execFileSync(process.env.PYTHON ?? 'python', [SEED_JOBS, MATIH_HOME, ...args]);
}

test.describe('MATIH training jobs', () => {
  test('lists ended jobs and follows a running one live from the event stream', async ({ page }, testInfo) => {
    const matih = new MatihPanel(page);
    await matih.open();

    // The palette command opens the panel on the Jobs tab.
    await matih.runCommand('Show MATIH training jobs');
    await expect(matih.tab('Jobs')).toHaveAttribute('aria-selected', 'true');

    // Seeded before the server started: one finished job, one failed job (newest first).
    await expect(matih.jobRow('seeded-ok')).toBeVisible();
    await expect(await matih.jobCell('seeded-ok', 'Status')).toHaveText('FINISHED');
    await expect(await matih.jobCell('seeded-ok', 'Trials')).toContainText('4/4');
    await expect(await matih.jobCell('seeded-ok', 'Best')).toHaveText(/accuracy ↑\s*0\.93/);
    await expect(await matih.jobCell('seeded-bad', 'Status')).toHaveText('FAILED');
    await expect(matih.jobRow('seeded-bad')).toContainText('every trial failed: ValueError: bad learning rate');
    await expect(await matih.jobCell('seeded-bad', 'Trials')).toContainText('2 failed');
    await expect(await matih.jobCell('seeded-bad', 'Best')).toHaveText('accuracy: –');
    await expect(matih.jobsTable.locator('tbody tr')).toHaveCount(2);

    // A job starts in "another kernel": the STARTED event brings it in, no reload, no polling.
    kernel('start', 'live-job', '3');
    const live = matih.jobRow('live-job');
    await expect(live).toBeVisible({ timeout: 20000 });
    await expect(matih.jobsTable.locator('tbody tr').first()).toHaveAttribute('data-job-id', 'live-job');
    await expect(await matih.jobCell('live-job', 'Status')).toHaveText('RUNNING');
    await expect(await matih.jobCell('live-job', 'Trials')).toContainText('0/3');
    await expect(matih.tab('Jobs')).toContainText('1');

    // Trials end: their runs change, the stream says so, progress and best value move.
    kernel('trial', 'live-job', '0.71', '0.78');
    await expect(await matih.jobCell('live-job', 'Trials')).toContainText('2/3', { timeout: 20000 });
    await expect(live.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '2');
    await expect(await matih.jobCell('live-job', 'Best')).toHaveText(/accuracy ↑\s*0\.78/);
    const elapsed = await matih.jobCell('live-job', 'Elapsed');
    const before = await elapsed.innerText();
    await expect(elapsed).not.toHaveText(before, { timeout: 5000 }); // ticks while running
    await screenshot(page, matih, testInfo, 'jobs-running-light');

    // The job completes: the COMPLETED event turns the row FINISHED and stops the clock.
    kernel('trial', 'live-job', '0.75');
    kernel('finish', 'live-job');
    await expect(await matih.jobCell('live-job', 'Status')).toHaveText('FINISHED', { timeout: 20000 });
    await expect(await matih.jobCell('live-job', 'Trials')).toContainText('3/3');
    await expect(matih.tab('Jobs')).not.toContainText('1');

    await page.theme.setDarkTheme();
    await expect(matih.jobRow('live-job')).toBeVisible();
    await screenshot(page, matih, testInfo, 'jobs-dark');

    // From a job to the runs of its experiment.
    await matih.jobRow('seeded-ok').getByRole('button', { name: 'Open the runs of tuning-demo' }).click();
    await expect(matih.tab('Runs')).toHaveAttribute('aria-selected', 'true');
    await expect(matih.panel.getByRole('option', { name: /^tuning-demo/ })).toHaveAttribute('aria-selected', 'true');
    await expect(matih.runsTable).toBeVisible();
  });
});
