import * as React from 'react';

import type { RunSummary } from '../../api';
import { cellValue, IRunColumn, ISort } from '../../models/tracking';
import { classes, formatFullTime, formatMetric, formatTime } from '../common/format';

export interface IRunsTableProps {
  runs: readonly RunSummary[];
  columns: readonly IRunColumn[];
  sort: ISort | null;
  selection: ReadonlyMap<string, unknown>;
  loading: boolean;
  onSort: (column: IRunColumn) => void;
  onToggle: (run: RunSummary, selected: boolean) => void;
  onTogglePage: (selected: boolean) => void;
}

/** One page of runs: a real `<table>`, headers sort on the server, checkboxes select for comparison. */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, columns, sort, selection, loading } = props;
  const selectedOnPage = runs.filter(r => selection.has(r.run_id)).length;
  const allSelected = runs.length > 0 && selectedOnPage === runs.length;

  return (
    <div className="jp-matih-table-scroll">
      <table
        className={classes('jp-matih-runs', loading && 'jp-mod-loading')}
        aria-label="Runs"
        aria-busy={loading}
      >
        <thead>
          <tr>
            <th className="jp-matih-check" scope="col">
              <input
                type="checkbox"
                aria-label="Select all runs on this page"
                checked={allSelected}
                ref={el => {
                  if (el) {
                    el.indeterminate = selectedOnPage > 0 && !allSelected;
                  }
                }}
                onChange={e => props.onTogglePage(e.currentTarget.checked)}
              />
            </th>
            {columns.map(column => (
              <HeaderCell key={column.id} column={column} sort={sort} onSort={props.onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map(run => {
            const selected = selection.has(run.run_id);
            return (
              <tr
                key={run.run_id}
                className={classes(selected && 'jp-mod-selected')}
                aria-selected={selected}
              >
                <td className="jp-matih-check">
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.run_name || run.run_id}`}
                    checked={selected}
                    onChange={e => props.onToggle(run, e.currentTarget.checked)}
                  />
                </td>
                {columns.map(column => (
                  <Cell key={column.id} run={run} column={column} />
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function HeaderCell(props: { column: IRunColumn; sort: ISort | null; onSort: (c: IRunColumn) => void }) {
  const { column, sort } = props;
  const active = sort?.columnId === column.id;
  const direction = active ? sort.direction : null;
  return (
    <th
      scope="col"
      className={classes(`jp-matih-col-${column.kind}`, active && 'jp-mod-sorted')}
      aria-sort={direction === 'ASC' ? 'ascending' : direction === 'DESC' ? 'descending' : 'none'}
      title={`${column.kind === 'attribute' ? '' : `${column.kind}: `}${column.label} — click to sort`}
    >
      <button type="button" className="jp-matih-sort" onClick={() => props.onSort(column)}>
        <span className="jp-matih-sort-label">{column.label}</span>
        <span className="jp-matih-sort-arrow" aria-hidden="true">
          {direction === 'ASC' ? '▲' : direction === 'DESC' ? '▼' : ''}
        </span>
      </button>
    </th>
  );
}

function Cell(props: { run: RunSummary; column: IRunColumn }): JSX.Element {
  const { run, column } = props;
  switch (column.id) {
    case 'attributes.run_name':
      return (
        <th scope="row" className="jp-matih-run-name">
          {run.mlflow_url ? (
            <a href={run.mlflow_url} target="_blank" rel="noopener noreferrer" title="Open in the MLflow UI">
              {run.run_name || run.run_id}
            </a>
          ) : (
            <span title={run.run_id}>{run.run_name || run.run_id}</span>
          )}
        </th>
      );
    case 'attributes.status':
      return (
        <td>
          <span className={`jp-matih-status jp-matih-status-${run.status.toLowerCase()}`}>{run.status}</span>
        </td>
      );
    case 'attributes.start_time':
      return <td title={formatFullTime(run.start_time)}>{formatTime(run.start_time)}</td>;
    case 'attributes.user_id':
      return <td>{run.user ?? ''}</td>;
  }
  const value = cellValue(run, column);
  if (column.kind === 'metric') {
    const key = column.id.slice('metrics.'.length);
    const present = !!run.metrics && key in run.metrics;
    return <td className="jp-matih-number">{formatMetric(value as number | null, present)}</td>;
  }
  return (
    <td className="jp-matih-param" title={value === null ? '' : String(value)}>
      {value ?? ''}
    </td>
  );
}
