import { ISignal } from '@lumino/signaling';

import {
  ApiError,
  describeError,
  EventStream,
  ExperimentKeys,
  IRunQuery,
  RunPage,
  RunSummary,
  WorkbenchClient,
  WorkbenchEvent
} from '../../api';
import { BaseModel } from '../base';
import {
  ATTRIBUTE_COLUMNS,
  DEFAULT_VISIBLE,
  IRunColumn,
  ISort,
  metricColumn,
  orderBy,
  paramColumn
} from './columns';

export const PAGE_SIZE = 100;

/** Wait this long after a RUNS_CHANGED event before reloading, so a burst of runs reloads once. */
export const RUNS_DEBOUNCE_MS = 400;

/**
 * The runs of one experiment, one server-side page at a time (never all runs): sort, filter, paging,
 * column choice and a selection that survives paging. Emits `runsChanged` after every state change and
 * reloads the page when the event stream says runs of the open experiment changed.
 */
export class RunsModel extends BaseModel {
  constructor(options: RunsModel.IOptions) {
    super({ events: options.events, debounceMs: RUNS_DEBOUNCE_MS });
    this._client = options.client;
  }

  get runsChanged(): ISignal<this, void> {
    return this.stateChanged;
  }

  get experimentId(): string | null {
    return this._experimentId;
  }
  get page(): RunPage | null {
    return this._page;
  }
  get runs(): readonly RunSummary[] {
    return this._page?.runs ?? [];
  }
  get keys(): ExperimentKeys | null {
    return this._keys;
  }
  get sort(): ISort | null {
    return this._sort;
  }
  /** The filter the current page was listed with. */
  get filter(): string {
    return this._filter;
  }
  /** The server's message for the last filter that was refused (shown next to the box). */
  get filterError(): string | null {
    return this._filterError;
  }
  /** 0-based index of the current page. */
  get pageIndex(): number {
    return this._previousTokens.length;
  }
  get hasNext(): boolean {
    return !!this._page?.next_page_token;
  }
  get hasPrevious(): boolean {
    return this._previousTokens.length > 0;
  }
  get selection(): ReadonlyMap<string, RunSummary> {
    return this._selection;
  }
  /** Every column the experiment offers: attributes, then params, then metrics. */
  get allColumns(): IRunColumn[] {
    const keys = this._keys;
    return [
      ...ATTRIBUTE_COLUMNS,
      ...(keys?.param_keys ?? []).map(paramColumn),
      ...(keys?.metric_keys ?? []).map(metricColumn)
    ];
  }

  /** The columns shown, in table order. */
  get columns(): IRunColumn[] {
    return this.allColumns.filter(c => c.kind === 'attribute' || this._visible.has(c.id));
  }

  isVisible(columnId: string): boolean {
    return this._visible.has(columnId);
  }

  setColumnVisible(columnId: string, visible: boolean): void {
    if (visible) {
      this._visible.add(columnId);
    } else {
      this._visible.delete(columnId);
    }
    this.emit();
  }

  /** Show an experiment: its keys (for columns) and its first page, unfiltered, default order. */
  async open(experimentId: string): Promise<void> {
    this._experimentId = experimentId;
    this._page = null;
    this._keys = null;
    this._sort = null;
    this._filter = '';
    this._filterError = null;
    this.setError(null);
    this._previousTokens = [];
    this._pageToken = null;
    this._selection.clear();
    this.emit();
    await Promise.all([this._load({}), this._loadKeys(experimentId, true)]);
  }

  /** Reload the current page as is (the refresh button, a RUNS_CHANGED event about this experiment). */
  async load(): Promise<void> {
    if (this._experimentId === null) {
      return;
    }
    await Promise.all([this._load({}), this._loadKeys(this._experimentId, false)]);
  }

  /** Sort by a column: first click in its natural direction, then toggle. Restarts at page 1. */
  async sortBy(column: IRunColumn): Promise<void> {
    const current = this._sort;
    const direction =
      current?.columnId === column.id
        ? current.direction === 'ASC'
          ? 'DESC'
          : 'ASC'
        : column.firstDirection;
    const sort: ISort = { columnId: column.id, sortKey: column.sortKey, direction };
    await this._load({ sort, pageToken: null, previousTokens: [] });
  }

  /** Apply an MLflow filter. A refused filter leaves everything as it was and sets `filterError`. */
  async setFilter(filter: string): Promise<void> {
    await this._load({ filter: filter.trim(), pageToken: null, previousTokens: [] });
  }

  async nextPage(): Promise<void> {
    const token = this._page?.next_page_token;
    if (token) {
      await this._load({
        pageToken: token,
        previousTokens: [...this._previousTokens, this._pageToken]
      });
    }
  }

  async previousPage(): Promise<void> {
    if (this._previousTokens.length > 0) {
      const previousTokens = this._previousTokens.slice(0, -1);
      const pageToken = this._previousTokens[this._previousTokens.length - 1];
      await this._load({ pageToken, previousTokens });
    }
  }

  toggleSelected(run: RunSummary, selected?: boolean): void {
    const select = selected ?? !this._selection.has(run.run_id);
    if (select) {
      this._selection.set(run.run_id, run);
    } else {
      this._selection.delete(run.run_id);
    }
    this.emit();
  }

  /** Select or clear every run of the current page. */
  selectPage(selected: boolean): void {
    for (const run of this.runs) {
      if (selected) {
        this._selection.set(run.run_id, run);
      } else {
        this._selection.delete(run.run_id);
      }
    }
    this.emit();
  }

  clearSelection(): void {
    this._selection.clear();
    this.emit();
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    const open = this._experimentId;
    const about = event.payload?.['experiment_id'];
    return event.type === 'RUNS_CHANGED' && open !== null && (event.subject === open || about === open);
  }

  /** Not while a page is on its way: reloading the committed state would supersede the user's request. */
  protected override onReload(): Promise<void> {
    return this.loading ? Promise.resolve() : this.load();
  }

  private async _loadKeys(experimentId: string, resetColumns: boolean): Promise<void> {
    await this.fetch(() => this._client.experimentKeys(experimentId), {
      channel: 'keys',
      apply: keys => {
        if (experimentId !== this._experimentId) {
          return;
        }
        this._keys = keys;
        if (resetColumns) {
          this._visible = new Set([
            ...keys.param_keys.slice(0, DEFAULT_VISIBLE.params).map(k => paramColumn(k).id),
            ...keys.metric_keys.slice(0, DEFAULT_VISIBLE.metrics).map(k => metricColumn(k).id)
          ]);
        }
      },
      fail: error => this.setError(describeError(error))
    });
  }

  /** List one page with some state changed; commit the new state only if the server accepts it. */
  private async _load(change: RunsModel.IChange): Promise<void> {
    const experimentId = this._experimentId;
    if (experimentId === null) {
      return;
    }
    const next = {
      sort: change.sort !== undefined ? change.sort : this._sort,
      filter: change.filter !== undefined ? change.filter : this._filter,
      pageToken: change.pageToken !== undefined ? change.pageToken : this._pageToken,
      previousTokens: change.previousTokens ?? this._previousTokens
    };
    const query: IRunQuery = {
      filter: next.filter,
      orderBy: orderBy(next.sort),
      pageSize: PAGE_SIZE,
      pageToken: next.pageToken
    };
    await this.fetch(() => this._client.runs(experimentId, query), {
      apply: page => {
        if (experimentId !== this._experimentId) {
          return;
        }
        this._page = page;
        this._sort = next.sort;
        this._filter = next.filter;
        this._pageToken = next.pageToken;
        this._previousTokens = next.previousTokens;
        this._filterError = null;
      },
      fail: error => {
        const isFilterChange = change.filter !== undefined && change.filter !== this._filter;
        if (isFilterChange && error instanceof ApiError && error.isClientError) {
          this._filterError = describeError(error);
        } else {
          this.setError(describeError(error));
        }
      }
    });
  }

  private _client: WorkbenchClient;
  private _experimentId: string | null = null;
  private _keys: ExperimentKeys | null = null;
  private _page: RunPage | null = null;
  private _sort: ISort | null = null;
  private _filter = '';
  private _filterError: string | null = null;
  private _pageToken: string | null = null;
  private _previousTokens: (string | null)[] = [];
  private _visible = new Set<string>();
  private _selection = new Map<string, RunSummary>();
}

export namespace RunsModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }

  export interface IChange {
    sort?: ISort | null;
    filter?: string;
    pageToken?: string | null;
    previousTokens?: (string | null)[];
  }
}
