import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { WorkbenchModel } from '../models/workbench';
import { ExperimentList } from './ExperimentList';
import { classes } from './format';
import { RunsView } from './RunsView';

export interface IWorkbenchViewProps {
  model: WorkbenchModel;
  onCompare: () => void;
}

/** The whole side panel: header, experiments, then the runs of the selected experiment. */
export function WorkbenchView(props: IWorkbenchViewProps): JSX.Element {
  const { model, onCompare } = props;
  const experiment = model.selectedExperiment;
  const busy = model.experimentsLoading || model.runs.loading;

  return (
    <div className="jp-matih-workbench">
      <header className="jp-matih-header">
        <h2 className="jp-matih-title">MATIH Workbench</h2>
        <button
          type="button"
          className={classes('jp-mod-styled jp-matih-icon-button', busy && 'jp-mod-busy')}
          aria-label="Refresh"
          title="Refresh experiments and runs"
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
      )}
    </div>
  );
}
