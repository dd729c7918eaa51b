import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

// Both are constructed in activate() (tiny, no dependencies of their own).
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { EventStream, WorkbenchClient } from '../api';
import { IWorkbenchClient, IWorkbenchEvents } from '../tokens';

/** The typed REST client, shared by every MATIH view. */
export const clientPlugin: JupyterFrontEndPlugin<WorkbenchClient> = {
  id: 'matih-workbench:client',
  description: 'Provides the typed REST client of the MATIH Workbench server extension.',
  autoStart: true,
  provides: IWorkbenchClient,
  activate: (app: JupyterFrontEnd): WorkbenchClient =>
    new WorkbenchClient({ serverSettings: app.serviceManager.serverSettings })
};

/** One lifecycle event stream for the whole page; consumers connect() it when they need events. */
export const eventsPlugin: JupyterFrontEndPlugin<EventStream> = {
  id: 'matih-workbench:events',
  description: 'Provides the MATIH Workbench lifecycle event stream (WebSocket, reconnecting).',
  autoStart: true,
  provides: IWorkbenchEvents,
  activate: (app: JupyterFrontEnd): EventStream =>
    new EventStream({ serverSettings: app.serviceManager.serverSettings })
};
