import type { Data, Layout } from 'plotly.js';
import * as React from 'react';

import type { RunComparison } from '../../api';
import { PlotlyChart } from '../common/PlotlyChart';
import { plotText } from '../common/plotText';

export interface IParallelCoordinatesProps {
  comparison: RunComparison;
  metric: string | null;
  onMetricChange: (metric: string) => void;
}

interface IDimension {
  label: string;
  values: number[];
  tickvals?: number[];
  ticktext?: string[];
}

/** Params as axes (numeric or categorical) against a chosen metric, lines colored by that metric. */
export function ParallelCoordinates(props: IParallelCoordinatesProps): JSX.Element {
  const { comparison, metric, onMetricChange } = props;
  const plot = React.useMemo(() => parcoords(comparison, metric), [comparison, metric]);
  const keys = comparison.metrics.map(m => m.key);

  return (
    <div className="jp-matih-parcoords">
      <label className="jp-matih-inline-label">
        Metric
        <select
          className="jp-matih-select"
          aria-label="Color by metric"
          value={metric ?? ''}
          onChange={e => onMetricChange(e.currentTarget.value)}
        >
          {keys.map(key => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
      </label>
      {plot.skipped > 0 && (
        <p className="jp-matih-note">
          {plot.skipped} run{plot.skipped === 1 ? '' : 's'} without {metric} left out.
        </p>
      )}
      {plot.data.length > 0 ? (
        <PlotlyChart
          label={`Parallel coordinates of params against ${metric}`}
          data={plot.data}
          layout={LAYOUT}
          height={340}
        />
      ) : (
        <p className="jp-matih-empty">Pick a metric logged by at least one of these runs.</p>
      )}
    </div>
  );
}

const LAYOUT: Partial<Layout> = { margin: { l: 64, r: 64, t: 48, b: 24 } };

function parcoords(comparison: RunComparison, metric: string | null): { data: Data[]; skipped: number } {
  const summary = comparison.metrics.find(m => m.key === metric);
  if (!summary || metric === null) {
    return { data: [], skipped: 0 };
  }
  const runs = comparison.runs.filter(r => typeof summary.values[r.run_id] === 'number');
  if (runs.length === 0) {
    return { data: [], skipped: comparison.runs.length };
  }
  const dimensions: IDimension[] = comparison.params.map(param =>
    axis(
      param.key,
      runs.map(r => param.values[r.run_id] ?? null)
    )
  );
  const values = runs.map(r => summary.values[r.run_id] as number);
  dimensions.push({ label: plotText(metric), values });
  const data = {
    type: 'parcoords',
    dimensions,
    line: {
      color: values,
      colorscale: 'Viridis',
      reversescale: summary.mode === 'min', // the best runs are always the brightest
      showscale: true,
      colorbar: { title: { text: plotText(metric) }, thickness: 12 }
    },
    labelangle: 0,
    labelside: 'top'
  } as unknown as Data; // @types/plotly.js lacks several parcoords fields
  return { data: [data], skipped: comparison.runs.length - runs.length };
}

/** Numeric params become numeric axes; anything else is categorical, mapped to ticks. */
function axis(key: string, raw: (string | null)[]): IDimension {
  const label = plotText(key);
  const numbers = raw.map(v => (v === null || v.trim() === '' ? NaN : Number(v)));
  if (numbers.every(n => Number.isFinite(n))) {
    return { label, values: numbers };
  }
  const categories = [...new Set(raw.map(v => v ?? '—'))].sort();
  return {
    label,
    values: raw.map(v => categories.indexOf(v ?? '—')),
    tickvals: categories.map((_, i) => i),
    ticktext: categories // tick text is drawn as plain text (axis labels are not): no escaping here
  };
}
