import * as React from 'react';

import type { MetricSummary, RunSummary } from '../../api';
import { classes, formatMetric } from '../common/format';
import { RunHeader } from './RunHeader';

export interface IMetricTableProps {
  runs: readonly RunSummary[];
  metrics: readonly MetricSummary[];
}

/** Latest metric values side by side; the best run's cell (per the metric's mode) is marked. */
export function MetricTable(props: IMetricTableProps): JSX.Element {
  const { runs, metrics } = props;
  if (metrics.length === 0) {
    return <p className="jp-matih-empty">These runs logged no metrics.</p>;
  }
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-compare-table" aria-label="Metrics">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" title="Which direction is better">
              Best
            </th>
            {runs.map((run, index) => (
              <RunHeader key={run.run_id} run={run} index={index} />
            ))}
          </tr>
        </thead>
        <tbody>
          {metrics.map(metric => (
            <tr key={metric.key}>
              <th scope="row">{metric.key}</th>
              <td className="jp-matih-mode">{metric.mode === 'max' ? 'max ▲' : 'min ▼'}</td>
              {runs.map(run => {
                const best = metric.best_run_id === run.run_id;
                const present = run.run_id in metric.values;
                return (
                  <td
                    key={run.run_id}
                    className={classes('jp-matih-number', best && 'jp-mod-best')}
                    aria-label={best ? `${formatMetric(metric.values[run.run_id])} (best)` : undefined}
                    title={best ? `Best ${metric.key} (${metric.mode})` : undefined}
                  >
                    {best && (
                      <span className="jp-matih-best-mark" aria-hidden="true">
                        ★{' '}
                      </span>
                    )}
                    {formatMetric(metric.values[run.run_id], present)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
