import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { WorkbenchModel } from '../models/workbench';
import { ExperimentList } from './ExperimentList';
import { classes } from './format';
import { JobsView } from './JobsView';
import { ModelsView } from './ModelsView';
import { IPanelTab, PanelTabs, tabId, tabPanelId } from './PanelTabs';
import { RunsView } from './RunsView';

export interface IWorkbenchViewProps {
  model: WorkbenchModel;
  onCompare: () => void;
}

/** The whole side panel: header, tabs, then the open tab (runs, training jobs, model registry). */
export function WorkbenchView(props: IWorkbenchViewProps): JSX.Element {
  const { model } = props;
  const busy = model.experimentsLoading || model.runs.loading || model.jobs.loading || model.registry.loading;
  const running = model.jobs.running.length;
  const approvals = model.registry.approvals.length;
  const tabs: IPanelTab[] = [
    { id: 'runs', label: 'Runs' },
    { id: 'jobs', label: 'Jobs', count: running, countLabel: `${running} running` },
    { id: 'models', label: 'Models', count: approvals, countLabel: `${approvals} to approve` }
  ];

  return (
    <div className="jp-matih-workbench">
      <header className="jp-matih-header">
        <h2 className="jp-matih-title">MATIH Workbench</h2>
        <button
          type="button"
          className={classes('jp-mod-styled jp-matih-icon-button', busy && 'jp-mod-busy')}
          aria-label="Refresh"
          title="Refresh experiments, runs, jobs and models"
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {model.serverError ? (
        <div className="jp-matih-error jp-matih-server-error" role="alert">
          {model.serverError}
        </div>
      ) : (
        <>
          <PanelTabs tabs={tabs} view={model.view} onChange={view => model.setView(view)} />
          <div
            className="jp-matih-tabpanel"
            role="tabpanel"
            id={tabPanelId(model.view)}
            aria-labelledby={tabId(model.view)}
          >
            {model.view === 'jobs' && (
              <JobsView model={model.jobs} onOpenRuns={id => void model.openRuns(id)} />
            )}
            {model.view === 'models' && <ModelsView model={model.registry} />}
            {model.view === 'runs' && <RunsTab {...props} />}
          </div>
        </>
      )}
    </div>
  );
}

/** Experiments, then the runs of the selected one. */
function RunsTab(props: IWorkbenchViewProps): JSX.Element {
  const { model, onCompare } = props;
  const experiment = model.selectedExperiment;
  return (
    <>
      <h3 className="jp-matih-section-title">Experiments</h3>
      <ExperimentList
        experiments={model.experiments}
        selectedId={model.runs.experimentId}
        loading={model.experimentsLoading}
        onSelect={id => void model.selectExperiment(id)}
      />
      {model.runs.experimentId !== null && (
        <>
          <h3 className="jp-matih-section-title">
            Runs
            {experiment && <span className="jp-matih-section-subtitle"> · {experiment.name}</span>}
          </h3>
          <RunsView model={model.runs} experiment={experiment} onCompare={onCompare} />
        </>
      )}
    </>
  );
}
