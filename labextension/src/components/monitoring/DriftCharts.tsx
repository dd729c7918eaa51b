import type { Data, Layout } from 'plotly.js';
import * as React from 'react';

import type { CheckPoint, DriftReport } from '../../api';
import { driftedShare } from '../../models/monitoring';
import { formatMetric, formatShortTime } from '../common/format';
import { PlotlyChart } from '../common/PlotlyChart';
import { plotText } from '../common/plotText';

/** Bars beyond this many features would be unreadable in the side panel; the table lists them all. */
export const MAX_CHART_FEATURES = 40;

const DRIFTED_COLOR = '#d62728';
const STABLE_COLOR = '#1f77b4';
/** Severity is drawn on a log scale: keep tiny (or zero) scores visible. */
const MIN_SEVERITY = 0.01;

/**
 * Each feature's drift score against its own threshold, one bar per feature, drifted features first (red,
 * marked "drifted"). Methods differ in scale and direction (a p-value drifts when small, a distance when
 * large), so the bars show the server's severity: 1 at the threshold, above 1 drifted; the hover gives the
 * method, the raw score and its threshold. Feature names are user data: escaped for Plotly.
 */
export function DriftChart(props: { report: DriftReport }): JSX.Element {
  const { report } = props;
  const features = report.drift.features;
  const shown = features.slice(0, MAX_CHART_FEATURES);

  const figure = React.useMemo(() => {
    const severity = shown.map(f => {
      const value = report.severity[f.feature];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return f.drifted ? 100 : MIN_SEVERITY;
      }
      return Math.max(value, MIN_SEVERITY);
    });
    // Category labels: escaped text, never HTML; a name like "1" must not turn the axis numeric.
    const labels = shown.map(f => plotText(f.feature));
    const data: Data[] = [
      {
        type: 'bar',
        orientation: 'h',
        x: severity,
        y: labels,
        marker: { color: shown.map(f => (f.drifted ? DRIFTED_COLOR : STABLE_COLOR)) },
        text: shown.map(f => (f.drifted ? 'drifted' : '')),
        textposition: 'auto',
        hovertext: shown.map(
          f =>
            `${plotText(f.feature)}<br>${f.method} ${formatMetric(f.score)} ` +
            `(threshold ${formatMetric(f.threshold)})<br>${f.drifted ? 'drifted' : 'stable'}`
        ),
        hoverinfo: 'text',
        name: 'severity'
      }
    ];
    const layout: Partial<Layout> = {
      margin: { l: 8, r: 16, t: 20, b: 40 },
      bargap: 0.25,
      xaxis: {
        type: 'log',
        dtick: 1, // powers of ten: 0.1, 1, 10
        title: { text: 'score against threshold (1 = threshold)' }
      },
      yaxis: { type: 'category', autorange: 'reversed' },
      shapes: [
        {
          type: 'line',
          xref: 'x',
          yref: 'paper',
          x0: 1,
          x1: 1,
          y0: 0,
          y1: 1,
          line: { color: DRIFTED_COLOR, dash: 'dash', width: 1.5 }
        }
      ],
      annotations: [
        {
          xref: 'x',
          yref: 'paper',
          x: 0,
          y: 1,
          yanchor: 'bottom',
          text: 'threshold',
          showarrow: false,
          font: { color: DRIFTED_COLOR, size: 10 }
        }
      ]
    };
    return { data, layout };
  }, [report]);

  return (
    <>
      <PlotlyChart
        label={`Drift per feature of ${report.endpoint ?? report.model}`}
        className="jp-matih-chart jp-matih-drift-chart"
        data={figure.data}
        layout={figure.layout}
        height={Math.max(140, 64 + 26 * shown.length)}
      />
      {features.length > shown.length && (
        <p className="jp-matih-note">
          The {shown.length} most drifted of {features.length} features are drawn; the table lists them all.
        </p>
      )}
    </>
  );
}

/** The drifted share of each past check over time; checks with dataset drift marked. */
export function DriftHistoryChart(props: { name: string; points: readonly CheckPoint[] }): JSX.Element {
  const { name, points } = props;
  const figure = React.useMemo(() => {
    const x = points.map(p => new Date(p.time * 1000).toISOString());
    const share = points.map(p => {
      const value = driftedShare(p);
      return value === null ? null : value * 100;
    });
    const data: Data[] = [
      {
        type: 'scatter',
        mode: points.length > 1 ? 'lines+markers' : 'markers',
        x,
        y: share,
        marker: {
          color: points.map(p => (p.dataset_drift || p.drifted_features > 0 ? DRIFTED_COLOR : STABLE_COLOR)),
          size: 8
        },
        line: { color: STABLE_COLOR },
        hovertext: points.map(
          p =>
            `${formatShortTime(p.time * 1000)} · v${p.version}<br>${p.drifted_features} drifted` +
            `${p.dataset_drift ? ' · dataset drift' : ''}` +
            `${p.prediction_drifted ? ' · predictions drifted' : ''}<br>${p.rows} rows`
        ),
        hoverinfo: 'text',
        name: 'drifted share'
      }
    ];
    const layout: Partial<Layout> = {
      margin: { l: 48, r: 16, t: 8, b: 36 },
      yaxis: { title: { text: 'drifted features %' }, rangemode: 'tozero', ticksuffix: '%' },
      xaxis: { type: 'date', tickformat: '%m-%d %H:%M' }
    };
    return { data, layout };
  }, [points]);

  return (
    <PlotlyChart
      label={`Drift history of ${name}`}
      className="jp-matih-chart jp-matih-drift-history"
      data={figure.data}
      layout={figure.layout}
      height={180}
    />
  );
}
