import * as React from 'react';

import type { ParamRow, RunSummary } from '../../api';
import { classes } from '../common/format';
import { RunHeader } from './RunHeader';

export interface IParamTableProps {
  runs: readonly RunSummary[];
  params: readonly ParamRow[];
  onlyDifferences: boolean;
}

/** Params side by side; rows whose values differ between runs are highlighted. */
export function ParamTable(props: IParamTableProps): JSX.Element {
  const { runs, onlyDifferences } = props;
  const rows = onlyDifferences ? props.params.filter(p => p.differs) : props.params;
  if (props.params.length === 0) {
    return <p className="jp-matih-empty">These runs logged no params.</p>;
  }
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-compare-table" aria-label="Params">
        <thead>
          <tr>
            <th scope="col">Param</th>
            {runs.map((run, index) => (
              <RunHeader key={run.run_id} run={run} index={index} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr
              key={row.key}
              className={classes(row.differs && 'jp-mod-differs')}
              title={row.differs ? 'Values differ between runs' : undefined}
            >
              <th scope="row">
                {row.key}
                {row.differs && (
                  <span className="jp-matih-differs-mark" aria-label="(differs)">
                    ≠
                  </span>
                )}
              </th>
              {runs.map(run => {
                const value = row.values[run.run_id];
                return (
                  <td key={run.run_id} className={classes(value === null && 'jp-mod-missing')}>
                    {value ?? '—'}
                  </td>
                );
              })}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={runs.length + 1} className="jp-matih-empty">
                Every param has the same value in these runs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
