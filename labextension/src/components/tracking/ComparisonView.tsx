import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ComparisonModel } from '../../models/tracking';
import { classes } from '../common/format';
import { runColor } from '../common/plotTheme';
import { useSignal } from '../common/useSignal';
import { MetricCurves } from './MetricCurves';
import { MetricTable } from './MetricTable';
import { ParallelCoordinates } from './ParallelCoordinates';
import { ParamTable } from './ParamTable';

export interface IComparisonViewProps {
  model: ComparisonModel;
}

/** Params, metric summaries, curves by step and parallel coordinates of a set of runs. */
export function ComparisonView(props: IComparisonViewProps): JSX.Element {
  const { model } = props;
  useSignal(model.comparisonChanged);
  const comparison = model.comparison;
  const differing = comparison?.params.filter(p => p.differs).length ?? 0;

  return (
    <div className="jp-matih-comparison" aria-busy={model.loading}>
      <header className="jp-matih-header">
        <h2 className="jp-matih-title">Comparing {model.runIds.length} runs</h2>
        <button
          type="button"
          className={classes('jp-mod-styled jp-matih-icon-button', model.loading && 'jp-mod-busy')}
          aria-label="Reload comparison"
          title="Reload comparison"
          onClick={() => void model.load()}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {comparison === null ? (
        model.loading && <p className="jp-matih-empty">Loading comparison…</p>
      ) : (
        <>
          <ul className="jp-matih-legend" aria-label="Compared runs">
            {comparison.runs.map((run, index) => (
              <li key={run.run_id} title={run.run_id}>
                <span
                  className="jp-matih-swatch"
                  style={{ background: runColor(index) }}
                  aria-hidden="true"
                />
                {run.run_name || run.run_id}
              </li>
            ))}
          </ul>
          <section className="jp-matih-section" aria-label="Params">
            <div className="jp-matih-section-head">
              <h3 className="jp-matih-section-title">
                Params <span className="jp-matih-section-subtitle">· {differing} differ</span>
              </h3>
              <label className="jp-matih-inline-label">
                <input
                  type="checkbox"
                  checked={model.onlyDifferences}
                  onChange={e => (model.onlyDifferences = e.currentTarget.checked)}
                />
                Only differences
              </label>
            </div>
            <ParamTable
              runs={comparison.runs}
              params={comparison.params}
              onlyDifferences={model.onlyDifferences}
            />
          </section>
          <section className="jp-matih-section" aria-label="Metrics">
            <h3 className="jp-matih-section-title">Metrics</h3>
            <MetricTable runs={comparison.runs} metrics={comparison.metrics} />
          </section>
          <section className="jp-matih-section" aria-label="Metric curves">
            <h3 className="jp-matih-section-title">Metrics by step</h3>
            <MetricCurves runs={comparison.runs} histories={comparison.histories} />
          </section>
          <section className="jp-matih-section" aria-label="Parallel coordinates">
            <h3 className="jp-matih-section-title">Params against a metric</h3>
            <ParallelCoordinates
              comparison={comparison}
              metric={model.colorMetric}
              onMetricChange={metric => (model.colorMetric = metric)}
            />
          </section>
        </>
      )}
    </div>
  );
}
