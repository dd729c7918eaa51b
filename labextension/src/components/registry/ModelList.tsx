import * as React from 'react';

import type { RegisteredModelSummary } from '../../api';
import { classes } from '../common/format';
import { StageBadge } from './StageBadge';

export interface IModelListProps {
  models: readonly RegisteredModelSummary[];
  selected: string | null;
  loaded: boolean;
  onSelect: (name: string) => void;
}

/** Registered models as a listbox: name, the Production and Staging versions. */
export function ModelList(props: IModelListProps): JSX.Element {
  const { models, selected, loaded, onSelect } = props;
  if (models.length === 0) {
    return (
      <p className="jp-matih-empty">
        {loaded ? 'No registered models yet: %matih models register RUN_ID NAME.' : 'Loading models…'}
      </p>
    );
  }
  const onKeyDown = (event: React.KeyboardEvent<HTMLUListElement>) => {
    const index = models.findIndex(m => m.name === selected);
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0) {
      event.preventDefault();
      onSelect(models[Math.min(Math.max(index + step, 0), models.length - 1)].name);
    }
  };
  return (
    <ul
      className="jp-matih-experiments jp-matih-models"
      role="listbox"
      aria-label="Models"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {models.map(model => (
        <li
          key={model.name}
          role="option"
          aria-selected={model.name === selected}
          className={classes('jp-matih-experiment', model.name === selected && 'jp-mod-selected')}
          title={model.description ?? model.name}
          onClick={() => onSelect(model.name)}
        >
          <span className="jp-matih-experiment-name">{model.name}</span>
          {model.production_version !== null && model.production_version !== undefined && (
            <StageBadge stage="Production" version={model.production_version} />
          )}
          {model.staging_version !== null && model.staging_version !== undefined && (
            <StageBadge stage="Staging" version={model.staging_version} />
          )}
        </li>
      ))}
    </ul>
  );
}
