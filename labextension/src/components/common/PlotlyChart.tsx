import type { Config, Data, Layout } from 'plotly.js';
import * as React from 'react';

import { useThemeName, withTheme } from './plotTheme';

type Plotly = typeof import('plotly.js-dist-min');

let plotly: Promise<Plotly> | null = null;

/** Plotly is large: load it on first use, once. */
export function loadPlotly(): Promise<Plotly> {
  plotly ??= import('plotly.js-dist-min').then(
    module => (module as unknown as { default?: Plotly }).default ?? module
  );
  return plotly;
}

export interface IPlotlyChartProps {
  /** Accessible name of the chart. */
  label: string;
  data: Data[];
  /** Merged over the themed defaults. */
  layout?: Partial<Layout>;
  height?: number;
  className?: string;
}

export const PLOTLY_CONFIG: Partial<Config> = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['lasso2d', 'select2d', 'toImage']
};

/** Fit a drawn plot to its container again (skipped while hidden or before the first draw). */
export function resizeIfDrawn(node: HTMLElement): void {
  if (node.offsetWidth > 0 && node.querySelector('.main-svg')) {
    void loadPlotly().then(Plotly => Plotly.Plots.resize(node));
  }
}

/** A Plotly figure that follows the JupyterLab theme and resizes with its container. */
export function PlotlyChart(props: IPlotlyChartProps): JSX.Element {
  const { label, data, layout, height = 280, className } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const theme = useThemeName();
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    const node = ref.current;
    let cancelled = false;
    if (!node) {
      return;
    }
    loadPlotly()
      .then(Plotly => {
        if (cancelled) {
          return;
        }
        return Plotly.react(node, data, { ...withTheme(layout), height }, PLOTLY_CONFIG);
      })
      .catch(reason => setError(`Cannot draw the chart: ${(reason as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, theme]);

  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() => resizeIfDrawn(node));
    observer.observe(node);
    return () => {
      observer.disconnect();
      void loadPlotly().then(Plotly => Plotly.purge(node));
    };
  }, []);

  return (
    <figure className={className ?? 'jp-matih-chart'} aria-label={label} role="figure">
      {error ? <p className="jp-matih-error">{error}</p> : <div ref={ref} style={{ minHeight: height }} />}
    </figure>
  );
}
