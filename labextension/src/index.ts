import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin, eventsPlugin } from './plugins/client';
import { curvesPlugin } from './plugins/curves';
import { panelPlugin } from './plugins/panel';

export * from './tokens';
export { EventStream, WorkbenchClient, ApiError } from './api';

const plugins: JupyterFrontEndPlugin<unknown>[] = [clientPlugin, eventsPlugin, panelPlugin, curvesPlugin];

export default plugins;
