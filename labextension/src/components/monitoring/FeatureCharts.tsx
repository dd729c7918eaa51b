import type { Data, Layout } from 'plotly.js';
import * as React from 'react';

import type { CheckPoint, FeatureDrift, HealthReport } from '../../api';
import { formatMetric, formatShortTime } from '../common/format';
import { PlotlyChart } from '../common/PlotlyChart';
import { plotText } from '../common/plotText';

const DRIFTED_COLOR = '#d62728';
const STABLE_COLOR = '#1f77b4';
const REFERENCE_COLOR = '#7f7f7f';
const CURRENT_COLOR = '#ff7f0e';
/** Severity is drawn on a log scale, as in the overview: keep tiny (or zero) scores visible. */
const MIN_SEVERITY = 0.01;

const LEGEND: Partial<Layout> = {
  showlegend: true,
  legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' }
};

/** A dashed horizontal line at `y` of the left axis, labelled; `log` when the axis is logarithmic. */
function thresholdLine(y: number, label: string, log: boolean, yref: 'y' | 'y2' = 'y'): Partial<Layout> {
  return {
    shapes: [
      {
        type: 'line',
        xref: 'paper',
        yref,
        x0: 0,
        x1: 1,
        y0: y,
        y1: y,
        line: { color: DRIFTED_COLOR, dash: 'dash', width: 1.5 }
      }
    ],
    annotations: [
      {
        xref: 'paper',
        yref,
        x: 1,
        xanchor: 'right',
        y: log ? Math.log10(y) : y, // annotations on a log axis take the exponent
        yanchor: 'bottom',
        text: label,
        showarrow: false,
        font: { color: DRIFTED_COLOR, size: 10 }
      }
    ]
  };
}

/**
 * A feature's reference vs current shares: overlaid bars on the shared bins (numeric), grouped bars per
 * category. Shares, not counts, so windows of any size compare with the reference; names escaped for Plotly.
 */
export function DistributionChart(props: { feature: FeatureDrift }): JSX.Element {
  const { feature } = props;
  const figure = React.useMemo(() => {
    const dist = feature.distribution;
    if (!dist) {
      return null;
    }
    const categorical = Array.isArray(dist.categories);
    const edges = dist.edges ?? [];
    const x = categorical
      ? (dist.categories ?? []).map(plotText)
      : dist.reference.map((_, i) => (edges[i] + edges[i + 1]) / 2);
    const width = categorical ? undefined : dist.reference.map((_, i) => edges[i + 1] - edges[i]);
    const series: [string, number[], string][] = [
      ['reference', dist.reference, REFERENCE_COLOR],
      ['current', dist.current, CURRENT_COLOR]
    ];
    const data: Data[] = series.map(([name, counts, color]) => {
      const total = Math.max(
        counts.reduce((a, b) => a + b, 0),
        1
      );
      const share = counts.map(c => c / total);
      return {
        type: 'bar',
        name,
        x,
        y: share,
        width,
        marker: { color },
        opacity: categorical ? 1 : 0.6,
        hovertext: share.map(
          (s, i) =>
            `${name}: ${formatMetric(s * 100)}% (${counts[i]})<br>` +
            (categorical ? x[i] : `${formatMetric(edges[i])} – ${formatMetric(edges[i + 1])}`)
        ),
        hoverinfo: 'text'
      } as Data;
    });
    const layout: Partial<Layout> = {
      ...LEGEND,
      margin: { l: 48, r: 16, t: 28, b: 36 },
      barmode: categorical ? 'group' : 'overlay',
      bargap: categorical ? 0.25 : 0,
      xaxis: categorical ? { type: 'category' } : { title: { text: plotText(feature.feature) } },
      yaxis: { title: { text: 'share' }, tickformat: '.0%', rangemode: 'tozero' }
    };
    return { data, layout };
  }, [feature]);

  if (figure === null) {
    return <p className="jp-matih-empty">The server kept no distribution of {feature.feature}.</p>;
  }
  return (
    <PlotlyChart
      label={`Distribution of ${feature.feature}`}
      className="jp-matih-chart jp-matih-distribution"
      data={figure.data}
      layout={figure.layout}
      height={220}
    />
  );
}

/** A feature's drift score of each past check (1 = its threshold), on the overview's log scale. */
export function FeatureScoreChart(props: { feature: string; points: readonly CheckPoint[] }): JSX.Element {
  const { feature, points } = props;
  const figure = React.useMemo(() => {
    const judged = points.filter(p => typeof (p.severity ?? {})[feature] === 'number');
    const score = judged.map(p => (p.severity ?? {})[feature]);
    const data: Data[] = [
      {
        type: 'scatter',
        mode: judged.length > 1 ? 'lines+markers' : 'markers',
        x: judged.map(p => new Date(p.time * 1000).toISOString()),
        y: score.map(s => Math.max(s, MIN_SEVERITY)),
        marker: { color: score.map(s => (s > 1 ? DRIFTED_COLOR : STABLE_COLOR)), size: 8 },
        line: { color: STABLE_COLOR },
        hovertext: judged.map(
          (p, i) =>
            `${formatShortTime(p.time * 1000)} · v${p.version}<br>${plotText(feature)}: ` +
            `${formatMetric(score[i])} × threshold (${score[i] > 1 ? 'drifted' : 'stable'})`
        ),
        hoverinfo: 'text',
        name: 'score'
      }
    ];
    const layout: Partial<Layout> = {
      margin: { l: 48, r: 16, t: 8, b: 36 },
      xaxis: { type: 'date', tickformat: '%m-%d %H:%M' },
      yaxis: { type: 'log', dtick: 1, title: { text: 'score (1 = threshold)' } },
      ...thresholdLine(1, 'threshold', true)
    };
    return { data, layout, judged: judged.length };
  }, [feature, points]);

  if (figure.judged === 0) {
    return (
      <p className="jp-matih-empty">
        No check judged {feature} yet: use Check now, or wait for the next scheduled check.
      </p>
    );
  }
  return (
    <PlotlyChart
      label={`Drift score of ${feature} over time`}
      className="jp-matih-chart jp-matih-feature-history"
      data={figure.data}
      layout={figure.layout}
      height={180}
    />
  );
}

/** Error rate (left) and p95 latency (right, with its SLO) of the window's buckets that had requests. */
export function HealthChart(props: { name: string; health: HealthReport }): JSX.Element {
  const { name, health } = props;
  const figure = React.useMemo(() => {
    const busy = health.timeline.filter(p => p.requests > 0);
    const x = busy.map(p => new Date(p.time * 1000).toISOString());
    const hover = busy.map(
      p =>
        `${formatShortTime(p.time * 1000)}<br>${p.requests} requests, ${p.errors} errors` +
        ` (${formatMetric(p.error_rate * 100)}%)<br>p95 ${formatMetric(p.p95_latency_ms ?? null, false)} ms`
    );
    const data: Data[] = [
      {
        type: 'scatter',
        mode: busy.length > 1 ? 'lines+markers' : 'markers',
        name: 'error rate',
        x,
        y: busy.map(p => p.error_rate * 100),
        marker: { color: DRIFTED_COLOR },
        line: { color: DRIFTED_COLOR },
        hovertext: hover,
        hoverinfo: 'text'
      },
      {
        type: 'scatter',
        mode: busy.length > 1 ? 'lines+markers' : 'markers',
        name: 'p95 latency',
        x,
        y: busy.map(p => p.p95_latency_ms ?? null),
        yaxis: 'y2',
        marker: { color: STABLE_COLOR },
        line: { color: STABLE_COLOR },
        hovertext: hover,
        hoverinfo: 'text'
      }
    ];
    const layout: Partial<Layout> = {
      ...LEGEND,
      margin: { l: 48, r: 48, t: 28, b: 36 },
      xaxis: { type: 'date', tickformat: '%m-%d %H:%M' },
      yaxis: { title: { text: 'error rate %' }, rangemode: 'tozero', ticksuffix: '%' },
      yaxis2: { title: { text: 'p95 ms' }, overlaying: 'y', side: 'right', rangemode: 'tozero' },
      ...thresholdLine(health.p95_slo_ms, `p95 SLO ${formatMetric(health.p95_slo_ms)} ms`, false, 'y2')
    };
    return { data, layout, busy: busy.length };
  }, [health]);

  if (figure.busy === 0) {
    return <p className="jp-matih-empty">No request in this window.</p>;
  }
  return (
    <PlotlyChart
      label={`Health of ${name} over time`}
      className="jp-matih-chart jp-matih-health-history"
      data={figure.data}
      layout={figure.layout}
      height={200}
    />
  );
}
