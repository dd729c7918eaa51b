import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { WorkbenchModel } from '../models/workbench';
import { classes } from './common/format';
import { IPanelTab, PanelTabs, tabId, tabPanelId } from './common/PanelTabs';
import { useSignal } from './common/useSignal';
import { FeaturesView } from './features/FeaturesView';
import { MonitoringView } from './monitoring/MonitoringView';
import { ModelsView } from './registry/ModelsView';
import { DeploymentsView } from './serving/DeploymentsView';
import { TrackingView } from './tracking/TrackingView';
import { JobsView } from './training/JobsView';

export interface IWorkbenchViewProps {
  model: WorkbenchModel;
  onCompare: () => void;
}

/**
 * The whole side panel: header, tabs, then the open tab (runs, training jobs, model registry, deployments,
 * monitoring, features).
 * Re-renders only when the tab or the server's status changes; each part listens to its own signals.
 */
export function WorkbenchView(props: IWorkbenchViewProps): JSX.Element {
  const { model, onCompare } = props;
  useSignal(model.panelChanged);
  const view = model.view;

  return (
    <div className="jp-matih-workbench">
      <PanelHeader model={model} />
      {model.serverError ? (
        <div className="jp-matih-error jp-matih-server-error" role="alert">
          {model.serverError}
        </div>
      ) : (
        <>
          <WorkbenchTabs model={model} />
          <div
            className="jp-matih-tabpanel"
            role="tabpanel"
            id={tabPanelId(view)}
            aria-labelledby={tabId(view)}
          >
            {view === 'runs' && (
              <TrackingView experiments={model.experiments} runs={model.runs} onCompare={onCompare} />
            )}
            {view === 'jobs' && <JobsView model={model.jobs} onOpenRuns={id => void model.openRuns(id)} />}
            {view === 'models' && <ModelsView model={model.registry} />}
            {view === 'deployments' && <DeploymentsView model={model.serving} />}
            {view === 'monitoring' && <MonitoringView model={model.monitoring} />}
            {view === 'features' && <FeaturesView model={model.features} />}
          </div>
        </>
      )}
    </div>
  );
}

/** Title and the refresh button, spinning while any capability waits for the server. */
function PanelHeader(props: { model: WorkbenchModel }): JSX.Element {
  const { model } = props;
  useSignal(
    model.experiments.experimentsChanged,
    model.runs.runsChanged,
    model.jobs.jobsChanged,
    model.registry.registryChanged,
    model.serving.deploymentsChanged,
    model.monitoring.monitoringChanged,
    model.features.featuresChanged
  );
  return (
    <header className="jp-matih-header">
      <h2 className="jp-matih-title">MATIH Workbench</h2>
      <button
        type="button"
        className={classes('jp-mod-styled jp-matih-icon-button', model.loading && 'jp-mod-busy')}
        aria-label="Refresh"
        title="Refresh experiments, runs, jobs, models, deployments, monitoring and features"
        onClick={() => void model.refresh()}
      >
        <refreshIcon.react tag="span" />
      </button>
    </header>
  );
}

/** The tab bar, with the running jobs and the approvals waiting for the user as counts. */
function WorkbenchTabs(props: { model: WorkbenchModel }): JSX.Element {
  const { model } = props;
  useSignal(model.jobs.jobsChanged, model.registry.registryChanged);
  const running = model.jobs.running.length;
  const approvals = model.registry.approvals.length;
  const tabs: IPanelTab[] = [
    { id: 'runs', label: 'Runs' },
    { id: 'jobs', label: 'Jobs', count: running, countLabel: `${running} running` },
    { id: 'models', label: 'Models', count: approvals, countLabel: `${approvals} to approve` },
    { id: 'deployments', label: 'Deployments' },
    { id: 'monitoring', label: 'Monitoring' },
    { id: 'features', label: 'Features' }
  ];
  return <PanelTabs tabs={tabs} view={model.view} onChange={view => model.setView(view)} />;
}
