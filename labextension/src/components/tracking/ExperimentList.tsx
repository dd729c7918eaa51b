import * as React from 'react';

import type { Experiment } from '../../api';
import { classes, formatCount } from '../common/format';

export interface IExperimentListProps {
  experiments: readonly Experiment[];
  selectedId: string | null;
  loading: boolean;
  onSelect: (experimentId: string) => void;
}

/** The experiments as a keyboard-navigable listbox: name and run count. */
export function ExperimentList(props: IExperimentListProps): JSX.Element {
  const { experiments, selectedId, loading, onSelect } = props;

  const onKeyDown = (event: React.KeyboardEvent<HTMLUListElement>) => {
    const index = experiments.findIndex(e => e.experiment_id === selectedId);
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0 && experiments.length > 0) {
      event.preventDefault();
      const next = Math.min(Math.max(index + step, 0), experiments.length - 1);
      onSelect(experiments[next].experiment_id);
    }
  };

  if (experiments.length === 0) {
    return (
      <p className="jp-matih-empty">
        {loading ? 'Loading experiments…' : 'No experiments yet: log a run with MLflow or %matih.'}
      </p>
    );
  }
  return (
    <ul
      className="jp-matih-experiments"
      role="listbox"
      aria-label="Experiments"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {experiments.map(experiment => {
        const selected = experiment.experiment_id === selectedId;
        return (
          <li
            key={experiment.experiment_id}
            role="option"
            aria-selected={selected}
            className={classes('jp-matih-experiment', selected && 'jp-mod-selected')}
            title={`${experiment.name} (id ${experiment.experiment_id})`}
            onClick={() => onSelect(experiment.experiment_id)}
          >
            <span className="jp-matih-experiment-name">{experiment.name}</span>
            {experiment.run_count !== null && experiment.run_count !== undefined && (
              <span
                className="jp-matih-badge"
                aria-label={`${experiment.run_count} runs`}
                title={`${experiment.run_count} runs`}
              >
                {formatCount(experiment.run_count)}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
