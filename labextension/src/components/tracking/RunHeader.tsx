import * as React from 'react';

import type { RunSummary } from '../../api';
import { runColor } from '../common/plotTheme';

/** A run as a column header: its chart color and its name (linked to MLflow when configured). */
export function RunHeader(props: { run: RunSummary; index: number }): JSX.Element {
  const { run, index } = props;
  const name = run.run_name || run.run_id;
  return (
    <th scope="col" className="jp-matih-run-header" title={run.run_id}>
      <span className="jp-matih-swatch" style={{ background: runColor(index) }} aria-hidden="true" />
      {run.mlflow_url ? (
        <a href={run.mlflow_url} target="_blank" rel="noopener noreferrer">
          {name}
        </a>
      ) : (
        name
      )}
    </th>
  );
}
