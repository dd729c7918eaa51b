import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

// The factory is tiny; Plotly itself loads on the first chart.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CURVES_RANK, curvesRendererFactory } from '../renderers/curves';

/** Renders the live training curves of `%%matih train` cells, updated in place while the job runs. */
export const curvesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'matih-workbench:curves',
  description: 'Renders live training curves of %%matih train cells.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void => {
    rendermime.addFactory(curvesRendererFactory, CURVES_RANK);
  }
};
