import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

import { MatihPanel } from './helpers/MatihPanel';
import { screenshot } from './helpers/screenshot';

const MATIH_HOME = path.join(__dirname, '..', '.jupyter-home', 'matih');
const EXPERIMENT = 'zz-hostile-names';
const LINK = '<a href="https://evil.test">click</a>';
const BOLD = '<b>bold</b> & <span style="color:red">red</span>';

/** Two runs named with Plotly's HTML subset, and a param value with it, logged by a plain MLflow client. */
const SEED = `
import sys
from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri=f"sqlite:///{sys.argv[1]}/mlflow.db")
if client.get_experiment_by_name(sys.argv[2]) is None:
    experiment_id = client.create_experiment(sys.argv[2])
    for offset, name, model in ((0.0, sys.argv[3], "<b>rf</b>"), (0.3, sys.argv[4], "xgb")):
        run = client.create_run(experiment_id, run_name=name)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("accuracy", offset + step / 10, 1000 + step, step) for step in range(3)],
            params=[Param("model", model)],
        )
        client.set_terminated(run.info.run_id)
experiment = client.get_experiment_by_name(sys.argv[2])
print(" ".join(r.info.run_id for r in client.search_runs([experiment.experiment_id])))
`;

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

/** The run ids of the two hostile runs (seeded once, by a plain MLflow client). */
function seed(): string[] {
  const out = execFileSync(process.env.PYTHON ?? 'python', ['-c', SEED, MATIH_HOME, EXPERIMENT, LINK, BOLD]);
  return out.toString().trim().split(' ');
}

/** A notebook file of code cells. */
function notebook(...cells: string[]): string {
  return JSON.stringify({
    cells: cells.map(source => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source
    })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 4
  });
}

test.describe('user strings in Plotly', () => {
  test('the panel shows run names and param values literally in hover text and axes', async ({
    page
  }, testInfo) => {
    seed();
    const matih = new MatihPanel(page);
    await matih.open();
    await matih.selectExperiment(EXPERIMENT);
    await matih.selectRun(LINK);
    await matih.selectRun(BOLD);
    await matih.compare();

    // Hovering a point of the metric curves names its run: literally, no link, no styling.
    const curves = matih.comparison.locator('.js-plotly-plot').first();
    await expect(curves.locator('.scatterlayer .trace')).toHaveCount(2);
    const hover = curves.locator('.hoverlayer .hovertext');
    const names: string[] = [];
    for (const trace of await curves.locator('.scatterlayer .trace').all()) {
      await trace.locator('.points path').first().hover({ force: true });
      await expect(hover.first()).toBeVisible();
      names.push((await hover.first().textContent()) ?? '');
      await expect(curves.locator('.hoverlayer a')).toHaveCount(0);
      await expect(curves.locator('.hoverlayer tspan[style*="font-weight"]')).toHaveCount(0);
      await page.mouse.move(0, 0);
      await expect(hover).toHaveCount(0);
    }
    expect(
      names.some(text => text.includes(LINK)),
      names.join(' | ')
    ).toBe(true);
    expect(
      names.some(text => text.includes(BOLD)),
      names.join(' | ')
    ).toBe(true);

    // A param value on a categorical parallel-coordinates axis.
    const parcoords = matih.comparison.locator('.js-plotly-plot .parcoords').first();
    await expect(parcoords.getByText('<b>rf</b>', { exact: true })).toHaveCount(1);
    await expect(parcoords.locator('tspan[style*="font-weight"]')).toHaveCount(0);
    await screenshot(page, matih, testInfo, 'hostile-names-comparison');
  });

  test('a notebook comparison shows run names literally in its legend', async ({
    page,
    tmpPath
  }, testInfo) => {
    test.setTimeout(240000); // a kernel starts and imports the workbench
    const [first, second] = seed();
    const name = 'hostile-names.ipynb';
    const file = `${tmpPath}/${name}`;
    const cells = ['%load_ext matih_workbench', `%matih compare ${first} ${second}`];
    expect(await page.contents.uploadContent(notebook(...cells), 'text', file)).toBe(true);
    expect(await page.notebook.openByPath(file)).toBe(true);
    await page.notebook.activate(name);
    await page.notebook.run();

    const legend = page.locator('.jp-OutputArea .js-plotly-plot .legend');
    await expect(legend.locator('.legendtext')).toHaveCount(2, { timeout: 120000 });
    expect((await legend.locator('.legendtext').allTextContents()).sort()).toEqual([BOLD, LINK].sort());
    // Plotly turns <a href> into an SVG link and <b> / styled spans into styled tspans: none of them here.
    await expect(legend.locator('a')).toHaveCount(0);
    await expect(legend.locator('tspan[style]')).toHaveCount(0);
    const matih = new MatihPanel(page);
    await matih.open(360);
    await screenshot(page, matih, testInfo, 'hostile-names-notebook');
  });
});
