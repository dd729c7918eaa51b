import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

const MATIH_HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const SEED_JOBS = path.join(__dirname, '..', 'seed_jobs.py');

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

/** A background training job that would run for ten minutes: two trials, one epoch every half second. */
const TRAIN_CELL = [
  '%%matih train --experiment ui-cancel --num-samples 2 --max-concurrent 2 --epochs 1200 --metric loss --background',
  'import time',
  'import matih_workbench as matih',
  '',
  'def train_fn(config):',
  '    for epoch in range(config["epochs"]):',
  '        time.sleep(0.5)',
  '        matih.report({"loss": 1.0 / (epoch + 1)})'
].join('\n');

/** A notebook file of code cells (uploaded as is: typing code into cells would auto-indent it). */
function notebook(...cells: string[]): string {
  return JSON.stringify({
    cells: cells.map(source => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 4
  });
}

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

  test('cancels a job running in a notebook kernel from its row in the panel', async ({ page, tmpPath }, testInfo) => {
    test.setTimeout(300000); // the kernel starts a local Ray first
    const name = 'cancel-from-panel.ipynb';
    const file = `${tmpPath}/${name}`;
    expect(await page.contents.uploadContent(notebook('%load_ext matih_workbench', TRAIN_CELL), 'text', file)).toBe(true);
    expect(await page.notebook.openByPath(file)).toBe(true);
    await page.notebook.activate(name);
    await page.notebook.run(); // --background: the cell returns once the job has started in the kernel

    const matih = new MatihPanel(page);
    await matih.open();
    await matih.openTab('Jobs');
    const row = matih.jobRowOf('ui-cancel');
    await expect(row).toBeVisible({ timeout: 120000 });
    const jobId = (await row.getAttribute('data-job-id')) ?? '';
    expect(jobId).toMatch(/^[0-9a-f]{12}$/);
    await expect(await matih.jobCell(jobId, 'Status')).toHaveText('RUNNING');
    await expect(await matih.jobCell(jobId, 'Trials')).toContainText('2 running', { timeout: 120000 });

    // The cell's live curves: one chart, redrawn in place as epochs arrive (one marker per trial and epoch).
    const curves = page.locator('.jp-matih-curves');
    await expect(curves).toHaveCount(1, { timeout: 60000 });
    await expect(curves.getByRole('figure', { name: 'loss by epoch' })).toBeVisible();
    const markers = curves.locator('.scatterlayer path.point');
    await expect.poll(() => markers.count(), { timeout: 60000 }).toBeGreaterThanOrEqual(4);
    const seen = await markers.count();
    await expect.poll(() => markers.count(), { timeout: 30000 }).toBeGreaterThan(seen);
    await expect(curves).toHaveCount(1);

    // Two clicks: "Cancel" asks for a confirmation, which lapses after a few seconds.
    const cancel = row.getByRole('button', { name: `Cancel job ${jobId}` });
    const confirm = row.getByRole('button', { name: `Confirm cancel of job ${jobId}` });
    await cancel.click();
    await expect(confirm).toHaveText('Confirm cancel?');
    await expect(cancel).toBeHidden();
    await expect(cancel).toBeVisible({ timeout: 8000 }); // lapsed: nothing was sent
    await expect(await matih.jobCell(jobId, 'Status')).toHaveText('RUNNING');
    await cancel.click();
    await screenshot(page, matih, testInfo, 'jobs-cancel-confirm-light');

    // Confirmed: the server writes the request, the kernel stops the job, its end comes back as an event.
    await confirm.click();
    await expect(row.getByRole('status')).toHaveText('Cancelling…');
    await expect(await matih.jobCell(jobId, 'Status')).toHaveText('KILLED', { timeout: 60000 });
    // KILLED comes from the kernel's own MODEL_TRAINING_FAILED event; its trial runs ended KILLED, not failed.
    await expect(await matih.jobCell(jobId, 'Trials')).toHaveText(/^2\/2$/);
    await expect(cancel).toHaveCount(0);
    await expect(row.getByRole('status')).toHaveCount(0);
    await expect(row.getByRole('alert')).toHaveCount(0);
    await screenshot(page, matih, testInfo, 'jobs-cancelled-light');
  });
});
