import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import type { Data, Layout } from 'plotly.js';

import { loadPlotly, PLOTLY_CONFIG, resizeIfDrawn } from '../components/common/PlotlyChart';
import { withTheme } from '../components/common/plotTheme';

/** Live training curves sent by `%%matih train` (a Plotly figure that changes while the job runs). */
export const CURVES_MIME = 'application/vnd.matih.curves+json';

interface IFigure {
  data: Data[];
  layout?: Partial<Layout>;
}

/**
 * Draws the figure and redraws it in place (`Plotly.react`) on every `update_display_data`: Plotly's own
 * JupyterLab renderer draws a figure once and ignores later updates of the same output.
 */
export class CurvesRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly _plot = document.createElement('div');
  private readonly _resizer = new ResizeObserver(() => resizeIfDrawn(this._plot));

  constructor() {
    super();
    this.addClass('jp-matih-curves');
    this._plot.setAttribute('role', 'figure');
    this.node.appendChild(this._plot);
    this._resizer.observe(this.node);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const figure = model.data[CURVES_MIME] as unknown as IFigure;
    const layout = figure.layout ?? {};
    const title = (layout.title as { text?: string } | undefined)?.text ?? 'training curves';
    this._plot.setAttribute('aria-label', title);
    const Plotly = await loadPlotly();
    await Plotly.react(this._plot, figure.data, withTheme(layout), PLOTLY_CONFIG);
  }

  override dispose(): void {
    if (!this.isDisposed) {
      this._resizer.disconnect();
      void loadPlotly().then(Plotly => Plotly.purge(this._plot));
    }
    super.dispose();
  }
}

/** Preferred over Plotly's renderer (rank 0) for the bundles that carry both. */
export const CURVES_RANK = -10;

export const curvesRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [CURVES_MIME],
  defaultRank: CURVES_RANK,
  createRenderer: () => new CurvesRenderer()
};
