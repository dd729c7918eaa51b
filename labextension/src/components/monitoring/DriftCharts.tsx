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
const SELECTED_OUTLINE = '#ff7f0e';
/** Severity is drawn on a log scale: keep tiny (or zero) scores visible. */
const MIN_SEVERITY = 0.01;

/**
 * Each feature's drift score against its own threshold, one bar per feature, drifted features first (red,
 * marked "drifted"). Methods differ in scale and direction (a p-value drifts when small, a distance when
 * large), so the bars show the server's severity: 1 at the threshold, above 1 drifted; the hover gives the
 * method, the raw score and its threshold. Feature names are user data: escaped for Plotly. Clicking a bar
 * selects its feature (the table's buttons do the same from the keyboard); the selected bar is outlined.
 */
export function DriftChart(props: IDriftChartProps): JSX.Element {
  const { report, selected = null, onSelect } = props;
  const features = report.drift.features;
  const shown = features.slice(0, MAX_CHART_FEATURES);
  const wrapper = React.useRef<HTMLDivElement>(null);
  usePlotlyClick(wrapper, index => {
    const feature = shown[index];
    if (feature && onSelect) {
      onSelect(feature.feature);
    }
  });

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
        marker: {
          color: shown.map(f => (f.drifted ? DRIFTED_COLOR : STABLE_COLOR)),
          line: { color: SELECTED_OUTLINE, width: shown.map(f => (f.feature === selected ? 2 : 0)) }
        },
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
  }, [report, selected]);

  return (
    <div ref={wrapper}>
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
    </div>
  );
}

export interface IDriftChartProps {
  report: DriftReport;
  /** The feature whose bar is outlined. */
  selected?: string | null;
  /** Called with a feature's name when its bar is clicked. */
  onSelect?: (feature: string) => void;
}

type PlotlyClick = { points?: { pointIndex?: number; pointNumber?: number }[] };
type PlotlyNode = HTMLElement & { on?: (event: 'plotly_click', handler: (e: PlotlyClick) => void) => void };

/** Calls `onClick` with the index of a clicked point of the Plotly chart drawn inside `ref` (once drawn). */
function usePlotlyClick(ref: React.RefObject<HTMLElement>, onClick: (index: number) => void): void {
  const handler = React.useRef(onClick);
  handler.current = onClick;
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    let bound: Element | null = null;
    const bind = () => {
      const plot = node.querySelector<PlotlyNode>('.js-plotly-plot');
      if (!plot || plot === bound || typeof plot.on !== 'function') {
        return;
      }
      bound = plot;
      plot.on('plotly_click', event => {
        const point = event.points?.[0];
        const index = point?.pointIndex ?? point?.pointNumber;
        if (typeof index === 'number') {
          handler.current(index);
        }
      });
    };
    // Plotly is loaded and draws asynchronously: bind once its graph node exists.
    const observer = new MutationObserver(bind);
    observer.observe(node, { childList: true, subtree: true });
    bind();
    return () => observer.disconnect();
  }, []);
}

/** The drifted share of each past check over time; checks with drifted features in red, checks whose
 * predictions drifted circled with an x. */
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
    const predicted = points.filter(p => p.prediction_drifted);
    if (predicted.length > 0) {
      data.push({
        type: 'scatter',
        mode: 'markers',
        x: predicted.map(p => new Date(p.time * 1000).toISOString()),
        y: predicted.map(p => (driftedShare(p) ?? 0) * 100),
        marker: { color: DRIFTED_COLOR, symbol: 'x-open', size: 14 },
        hoverinfo: 'skip',
        name: 'predictions drifted'
      });
    }
    const layout: Partial<Layout> = {
      margin: { l: 48, r: 16, t: 8, b: 36 },
      yaxis: { title: { text: 'drifted features %' }, rangemode: 'tozero', ticksuffix: '%' },
      xaxis: { type: 'date', tickformat: '%m-%d %H:%M' },
      showlegend: predicted.length > 0,
      legend: { orientation: 'h', x: 0, y: 1.2 }
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
