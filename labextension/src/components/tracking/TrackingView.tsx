import * as React from 'react';

import type { ExperimentsModel, RunsModel } from '../../models/tracking';
import { useSignal } from '../common/useSignal';
import { ExperimentList } from './ExperimentList';
import { RunsView } from './RunsView';

export interface ITrackingViewProps {
  experiments: ExperimentsModel;
  runs: RunsModel;
  /** Open a comparison of the selected runs. */
  onCompare: () => void;
}

/** The Runs tab: the experiments, then the runs of the selected one. Renders on tracking changes only. */
export function TrackingView(props: ITrackingViewProps): JSX.Element {
  const { experiments, runs, onCompare } = props;
  useSignal(experiments.experimentsChanged, runs.runsChanged);
  const experiment = experiments.find(runs.experimentId);
  return (
    <>
      <h3 className="jp-matih-section-title">Experiments</h3>
      <ExperimentList
        experiments={experiments.experiments}
        selectedId={runs.experimentId}
        loading={experiments.loading}
        onSelect={id => {
          if (id !== runs.experimentId) {
            void runs.open(id);
          }
        }}
      />
      {runs.experimentId !== null && (
        <>
          <h3 className="jp-matih-section-title">
            Runs
            {experiment && <span className="jp-matih-section-subtitle"> · {experiment.name}</span>}
          </h3>
          <RunsView model={runs} experimentName={experiment?.name ?? null} onCompare={onCompare} />
        </>
      )}
    </>
  );
}
