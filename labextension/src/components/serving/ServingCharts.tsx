import type { Data, Layout } from 'plotly.js';
import * as React from 'react';

import type { EndpointStats } from '../../api';
import type { IRatePoint } from '../../models/serving';
import { PlotlyChart } from '../common/PlotlyChart';

const HEIGHT = 200;

export interface IServingChartProps {
  versions: readonly string[];
  colors: Record<string, string>;
}

/** The distribution of each version's predictions (latest requests), as overlaid histograms. */
export function PredictionChart(props: IServingChartProps & { stats: EndpointStats }): JSX.Element {
  const { stats, versions, colors } = props;
  const data = React.useMemo<Data[]>(
    () =>
      versions.flatMap(v => {
        const hist = stats.versions[v]?.prediction_histogram;
        const counts = hist?.counts ?? [];
        const edges = hist?.edges ?? [];
        if (counts.length === 0 || edges.length !== counts.length + 1) {
          return [];
        }
        const centers = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
        const widths = counts.map((_, i) => Math.max(edges[i + 1] - edges[i], 1e-9));
        return [
          {
            type: 'bar',
            name: `v${v}`,
            x: centers,
            y: counts,
            width: widths,
            marker: { color: colors[v], opacity: 0.6, line: { color: colors[v], width: 1 } },
            hovertemplate: `v${v}: %{y} predictions near %{x:.4g}<extra></extra>`
          } as Data
        ];
      }),
    [stats, versions, colors]
  );
  const layout = React.useMemo<Partial<Layout>>(
    () => ({
      title: { text: 'Predictions', font: { size: 12 }, x: 0.02, xanchor: 'left' },
      barmode: 'overlay',
      bargap: 0,
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.12 },
      margin: { l: 40, r: 8, t: 32, b: 30 },
      yaxis: { title: { text: 'requests' } }
    }),
    []
  );
  if (data.length === 0) {
    return <p className="jp-matih-empty jp-matih-chart-empty">No numeric predictions yet.</p>;
  }
  return (
    <PlotlyChart
      label="Prediction distribution per version"
      data={data}
      layout={layout}
      height={HEIGHT}
      className="jp-matih-chart jp-matih-serving-chart"
    />
  );
}

/** Requests per second of each version over the last polls: the split as it is actually served. */
export function RequestRateChart(props: IServingChartProps & { rates: readonly IRatePoint[] }): JSX.Element {
  const { rates, versions, colors } = props;
  const data = React.useMemo<Data[]>(
    () =>
      versions.map(v => ({
        type: 'scatter',
        mode: 'lines',
        name: `v${v}`,
        x: rates.map(p => new Date(p.time)),
        y: rates.map(p => p.rates[v] ?? 0),
        stackgroup: 'rate',
        line: { color: colors[v], width: 1.5 },
        hovertemplate: `v${v}: %{y:.1f} req/s<extra></extra>`
      })),
    [rates, versions, colors]
  );
  const layout = React.useMemo<Partial<Layout>>(
    () => ({
      title: { text: 'Requests per second', font: { size: 12 }, x: 0.02, xanchor: 'left' },
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.12 },
      margin: { l: 40, r: 8, t: 32, b: 30 },
      xaxis: { type: 'date', tickformat: '%H:%M:%S' },
      yaxis: { rangemode: 'tozero' }
    }),
    []
  );
  if (rates.length < 2) {
    return <p className="jp-matih-empty jp-matih-chart-empty">Request rates show once requests arrive.</p>;
  }
  return (
    <PlotlyChart
      label="Requests per second per version"
      data={data}
      layout={layout}
      height={HEIGHT}
      className="jp-matih-chart jp-matih-serving-chart"
    />
  );
}
