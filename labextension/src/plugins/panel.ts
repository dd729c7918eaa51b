import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { refreshIcon } from '@jupyterlab/ui-components';

import type { EventStream, WorkbenchClient } from '../api';
import { matihIcon } from '../icons';
import { CommandIDs, IWorkbenchClient, IWorkbenchEvents } from '../tokens';
// The sidebar panel is added at start (its tab must be there); comparisons load on first use.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { WorkbenchPanel } from '../widgets/WorkbenchPanel';

const CATEGORY = 'MATIH';

/** The MATIH side panel in the left area, its comparison tabs and its commands. */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'matih-workbench:panel',
  description:
    'The MATIH Workbench side panel: experiments, runs, comparison, training jobs, model registry, deployments, monitoring, features.',
  autoStart: true,
  requires: [IWorkbenchClient, IWorkbenchEvents],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    client: WorkbenchClient,
    events: EventStream,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const { commands, shell } = app;

    const compareSelected = async (): Promise<void> => {
      const selection = [...panel.model.runs.selection.values()];
      if (selection.length < 2) {
        Notification.warning('Select at least two runs to compare.', { autoClose: 4000 });
        return;
      }
      const { createComparisonPanel } = await import('../widgets/ComparisonPanel');
      const comparison = createComparisonPanel({
        client,
        runIds: selection.map(r => r.run_id),
        runNames: selection.map(r => r.run_name || r.run_id)
      });
      shell.add(comparison, 'main');
      shell.activateById(comparison.id);
    };

    const panel = new WorkbenchPanel({ client, events, onCompare: () => void compareSelected() });
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    void panel.start();

    commands.addCommand(CommandIDs.openPanel, {
      label: 'Open MATIH Workbench',
      caption: 'Show the MATIH Workbench panel: experiments, runs, comparison',
      describedBy: { args: null },
      icon: matihIcon,
      execute: () => shell.activateById(panel.id)
    });
    commands.addCommand(CommandIDs.openJobs, {
      label: 'Show MATIH training jobs',
      caption: 'Show the running and finished training jobs in the MATIH panel',
      describedBy: { args: null },
      icon: matihIcon,
      execute: () => {
        panel.model.setView('jobs');
        shell.activateById(panel.id);
      }
    });
    commands.addCommand(CommandIDs.openModels, {
      label: 'Show MATIH model registry',
      caption: 'Show the registered models, their stages and the promotions waiting for you',
      describedBy: { args: null },
      icon: matihIcon,
      execute: () => {
        panel.model.setView('models');
        shell.activateById(panel.id);
      }
    });
    commands.addCommand(CommandIDs.openDeployments, {
      label: 'Show MATIH deployments',
      caption: 'Show the deployed model versions, their endpoints and traffic split',
      describedBy: { args: null },
      icon: matihIcon,
      execute: () => {
        panel.model.setView('deployments');
        shell.activateById(panel.id);
      }
    });
    commands.addCommand(CommandIDs.openFeatures, {
      label: 'Show MATIH features',
      caption: 'Show the feature views with their freshness, sample rows and the models using them',
      describedBy: { args: null },
      icon: matihIcon,
      execute: () => {
        panel.model.setView('features');
        shell.activateById(panel.id);
      }
    });
    commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh MATIH runs',
      caption: 'Reload the experiments and the runs of the open experiment',
      describedBy: { args: null },
      icon: refreshIcon,
      execute: () => panel.model.refresh()
    });
    commands.addCommand(CommandIDs.compareSelected, {
      label: 'Compare selected runs',
      caption: 'Open a comparison of the runs selected in the MATIH panel',
      describedBy: { args: null },
      isEnabled: () => panel.model.runs.selection.size >= 2,
      execute: compareSelected
    });
    panel.model.runs.runsChanged.connect(() => commands.notifyCommandChanged(CommandIDs.compareSelected));

    const paletteCommands = [
      CommandIDs.openPanel,
      CommandIDs.openJobs,
      CommandIDs.openModels,
      CommandIDs.openDeployments,
      CommandIDs.openFeatures,
      CommandIDs.refresh,
      CommandIDs.compareSelected
    ];
    for (const command of paletteCommands) {
      palette?.addItem({ command, category: CATEGORY });
    }
  }
};
