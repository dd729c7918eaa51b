import type { Layout } from 'plotly.js';
import * as React from 'react';

/** Colors for runs, in comparison order; readable on light and dark backgrounds. */
export const RUN_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length];
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Plotly layout defaults following the current JupyterLab theme (transparent backgrounds). */
export function themedLayout(): Partial<Layout> {
  const font = cssVar('--jp-ui-font-color1', '#333');
  const muted = cssVar('--jp-ui-font-color2', '#666');
  const grid = cssVar('--jp-border-color2', '#ddd');
  const line = cssVar('--jp-border-color1', '#bbb');
  const axis = {
    gridcolor: grid,
    zerolinecolor: line,
    linecolor: line,
    tickcolor: line,
    tickfont: { color: muted },
    automargin: true
  };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: font, family: cssVar('--jp-ui-font-family', 'sans-serif'), size: 11 },
    hoverlabel: {
      bgcolor: cssVar('--jp-layout-color0', '#fff'),
      bordercolor: line,
      font: { color: font }
    },
    xaxis: axis,
    yaxis: axis,
    margin: { l: 48, r: 16, t: 32, b: 36 },
    showlegend: false
  };
}

/** Changes whenever the JupyterLab theme does, so charts can redraw with the new colors. */
export function useThemeName(): string {
  const read = () => document.body.dataset.jpThemeName ?? '';
  const [name, setName] = React.useState(read);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setName(read()));
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name'] });
    return () => observer.disconnect();
  }, []);
  return name;
}

/** `layout` over the theme's defaults (its axes merged, not replaced), sized by its container. */
export function withTheme(layout: Partial<Layout> = {}): Partial<Layout> {
  const base = themedLayout();
  return {
    ...base,
    ...layout,
    xaxis: { ...base.xaxis, ...layout.xaxis },
    yaxis: { ...base.yaxis, ...layout.yaxis },
    autosize: true
  };
}
