import type { Data, Layout } from 'plotly.js';
import * as React from 'react';

import type { AlignedMetric, RunSummary } from '../../api';
import { PlotlyChart } from '../common/PlotlyChart';
import { plotText } from '../common/plotText';
import { runColor } from '../common/plotTheme';

export interface IMetricCurvesProps {
  runs: readonly RunSummary[];
  histories: readonly AlignedMetric[];
}

/** One line chart per metric, one trace per run, overlaid by step. */
export function MetricCurves(props: IMetricCurvesProps): JSX.Element {
  const { runs, histories } = props;
  if (histories.length === 0) {
    return <p className="jp-matih-empty">No metric was logged at more than one step.</p>;
  }
  return (
    <div className="jp-matih-chart-grid">
      {histories.map(history => (
        <MetricCurve key={history.key} runs={runs} history={history} />
      ))}
    </div>
  );
}

function MetricCurve(props: { runs: readonly RunSummary[]; history: AlignedMetric }): JSX.Element {
  const { runs, history } = props;
  const data = React.useMemo<Data[]>(
    () =>
      runs.map((run, index) => ({
        type: 'scatter',
        mode: history.steps.length <= 40 ? 'lines+markers' : 'lines',
        name: plotText(run.run_name || run.run_id),
        x: history.steps,
        y: history.series[run.run_id] ?? [],
        connectgaps: true,
        line: { color: runColor(index), width: 2 },
        marker: { size: 5 },
        // the (escaped) name by reference: a run name is never read as a template or as markup
        hovertemplate: '%{fullData.name}<br>step %{x}: %{y:.5g}<extra></extra>'
      })),
    [runs, history]
  );
  const layout = React.useMemo<Partial<Layout>>(
    () => ({
      title: { text: plotText(history.key), font: { size: 13 }, x: 0.02, xanchor: 'left' },
      xaxis: { title: { text: 'step' } }
    }),
    [history.key]
  );
  return <PlotlyChart label={`${history.key} by step`} data={data} layout={layout} height={260} />;
}
