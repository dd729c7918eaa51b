import { Token } from '@lumino/coreutils';

import type { EventStream, WorkbenchClient } from './api';

/** The typed REST client of the MATIH Workbench server extension. */
export const IWorkbenchClient = new Token<WorkbenchClient>(
  'matih-workbench:IWorkbenchClient',
  'The typed REST client of the MATIH Workbench server extension.'
);

/** The shared lifecycle event stream (one WebSocket for every consumer). */
export const IWorkbenchEvents = new Token<EventStream>(
  'matih-workbench:IWorkbenchEvents',
  'The MATIH Workbench lifecycle event stream.'
);

/** Command ids. */
export namespace CommandIDs {
  export const openPanel = 'matih:open-panel';
  export const openJobs = 'matih:open-jobs';
  export const openModels = 'matih:open-models';
  export const openDeployments = 'matih:open-deployments';
  export const openFeatures = 'matih:open-features';
  export const refresh = 'matih:refresh';
  export const compareSelected = 'matih:compare-selected';
}

/** Id of the side panel in the left area. */
export const PANEL_ID = 'matih-workbench-panel';
