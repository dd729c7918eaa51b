import type { RunSummary } from '../../api';

/** A column of the runs table; `sortKey` is what the server's `order_by` understands. */
export interface IRunColumn {
  id: string;
  label: string;
  kind: 'attribute' | 'param' | 'metric';
  sortKey: string;
  /** Direction of the first click on the header. */
  firstDirection: SortDirection;
}

export type SortDirection = 'ASC' | 'DESC';

export interface ISort {
  columnId: string;
  sortKey: string;
  direction: SortDirection;
}

export const ATTRIBUTE_COLUMNS: readonly IRunColumn[] = [
  attribute('run_name', 'Run', 'ASC'),
  attribute('status', 'Status', 'ASC'),
  attribute('start_time', 'Started', 'DESC'),
  attribute('user_id', 'User', 'ASC')
];

/** How many params and metrics are shown before the user picks columns. */
export const DEFAULT_VISIBLE = { params: 3, metrics: 4 };

export function paramColumn(key: string): IRunColumn {
  return {
    id: `params.${key}`,
    label: key,
    kind: 'param',
    sortKey: `params.${quoteKey(key)}`,
    firstDirection: 'ASC'
  };
}

export function metricColumn(key: string): IRunColumn {
  return {
    id: `metrics.${key}`,
    label: key,
    kind: 'metric',
    sortKey: `metrics.${quoteKey(key)}`,
    firstDirection: 'DESC'
  };
}

export function orderBy(sort: ISort | null): string[] {
  return sort ? [`${sort.sortKey} ${sort.direction}`] : [];
}

/** The raw value of a param or metric column (attributes are rendered by the table). */
export function cellValue(run: RunSummary, column: IRunColumn): string | number | null {
  const name = column.id.slice(column.id.indexOf('.') + 1);
  if (column.kind === 'param') {
    return run.params?.[name] ?? null;
  }
  if (column.kind === 'metric') {
    return run.metrics?.[name] ?? null;
  }
  return null;
}

/** MLflow needs backticks around keys that are not plain identifiers (`metrics.\`val loss\``). */
function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `\`${key}\``;
}

function attribute(name: string, label: string, firstDirection: SortDirection): IRunColumn {
  return {
    id: `attributes.${name}`,
    label,
    kind: 'attribute',
    sortKey: `attributes.${name}`,
    firstDirection
  };
}
