import { ISignal } from '@lumino/signaling';

import {
  describeError,
  EventStream,
  FeatureSample,
  FeatureStoreOverview,
  FeatureViewInfo,
  MaterializationJob,
  VersionRef,
  ViewConsistency,
  WorkbenchClient,
  WorkbenchEvent
} from '../api';
import { BaseModel } from './base';

/**
 * Events after which the tab is stale: a materialization (from any kernel or panel) changes freshness, and
 * the registry's events change which models use a view.
 */
const FEATURES_EVENTS = new Set<string>([
  'FEATURES_MATERIALIZED',
  'MODEL_REGISTERED',
  'MODEL_PROMOTED',
  'MODEL_ARCHIVED'
]);

/** How often a running materialization started here is followed (no event covers its progress). */
export const JOB_POLL_MS = 1000;

/** Sample rows shown for a view, and entities compared by the consistency check. */
export const SAMPLE_ROWS = 10;
export const CHECK_SAMPLE = 10;

/** The outcome of an action of the tab, for the user. */
export interface IFeaturesMessage {
  kind: 'success' | 'error';
  text: string;
}

/**
 * The Features tab's state: the repository's views with freshness, entities and services; for the selected
 * view its sample rows, the model versions trained on it and its last consistency check; the materialization
 * started here. Loaded when the tab is first shown, then reloaded when the event stream brings a
 * materialization or a registry event (never polled); only a running materialization job is followed.
 */
export class FeaturesModel extends BaseModel {
  constructor(options: FeaturesModel.IOptions) {
    super({ events: options.events, debounceMs: options.debounceMs });
    this._client = options.client;
    this._pollMs = options.pollMs ?? JOB_POLL_MS;
  }

  get featuresChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  get overview(): FeatureStoreOverview | null {
    return this._overview;
  }
  get views(): readonly FeatureViewInfo[] {
    return this._overview?.views ?? [];
  }
  get selected(): string | null {
    return this._selected;
  }
  get selectedView(): FeatureViewInfo | null {
    return this.views.find(v => v.name === this._selected) ?? null;
  }
  /** The selected view's newest rows, once answered. */
  get sample(): FeatureSample | null {
    return this._sample;
  }
  get sampleError(): string | null {
    return this._sampleError;
  }
  /** The registered versions trained on the selected view; null until answered. */
  get users(): readonly VersionRef[] | null {
    return this._users;
  }
  get usersError(): string | null {
    return this._usersError;
  }
  /** The consistency check of the selected view is running. */
  get checking(): boolean {
    return this._checking;
  }
  /** The materialization started from this panel (running or ended), if any. */
  get job(): MaterializationJob | null {
    return this._job;
  }
  get materializing(): boolean {
    return this._job?.status === 'RUNNING';
  }
  /** How the last materialization started here ended, or why it could not start. */
  get message(): IFeaturesMessage | null {
    return this._message;
  }
  /** Why the last consistency check of the selected view failed. */
  get checkError(): string | null {
    return this._checkError;
  }

  /** The last consistency check of a view, while its materialization has not changed since. */
  consistency(view: string): ViewConsistency | null {
    return this._consistency.get(view) ?? null;
  }

  async load(): Promise<void> {
    await this.fetch(() => this._client.featureOverview(), {
      apply: overview => {
        this._overview = overview;
        for (const [name, check] of this._consistency) {
          const view = overview.views.find(v => v.name === name);
          if (!view || (view.last_materialized ?? null) !== check.as_of) {
            this._consistency.delete(name);
          }
        }
        if (this._selected !== null && !overview.views.some(v => v.name === this._selected)) {
          this._clearSelection();
        }
      },
      what: 'Cannot read the feature store'
    });
    await this._loadSelected();
  }

  /** Show a view's statistics, rows and models (null: none). */
  async select(view: string | null): Promise<void> {
    if (view === this._selected) {
      return;
    }
    this._clearSelection();
    this._selected = view;
    this.emit();
    await this._loadSelected();
  }

  /** Compare the online values of the selected view with its offline values as of its last materialization. */
  async checkConsistency(): Promise<void> {
    const view = this._selected;
    if (view === null || this._checking) {
      return;
    }
    this._checking = true;
    this._checkError = null;
    this.emit();
    await this.fetch(() => this._client.featureCheck(CHECK_SAMPLE, [view]), {
      channel: `check:${view}`,
      apply: report => {
        for (const result of report.views) {
          this._consistency.set(result.view, result);
        }
      },
      fail: error => {
        this._checkError = `Cannot check '${view}': ${describeError(error)}`;
      }
    });
    this._checking = false;
    this.emit();
  }

  /** Start an incremental materialization of every online view up to now, then follow it until it ends. */
  async materialize(): Promise<void> {
    if (this.materializing) {
      return;
    }
    this._message = null;
    await this.act(async () => {
      try {
        this._job = await this._client.materialize();
        this._follow();
      } catch (error) {
        this._message = { kind: 'error', text: `Cannot materialize: ${describeError(error)}` };
      }
    });
  }

  override dispose(): void {
    window.clearTimeout(this._pollTimer);
    super.dispose();
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return this.loaded && FEATURES_EVENTS.has(event.type); // never shown: the store stays closed
  }

  /** Ask for the job again while it runs; its end is told once (the reload comes from its event). */
  private _follow(): void {
    window.clearTimeout(this._pollTimer);
    const job = this._job;
    if (job !== null && job.status === 'RUNNING' && !this.isDisposed) {
      this._pollTimer = window.setTimeout(() => void this._poll(job), this._pollMs);
    }
  }

  private async _poll(job: MaterializationJob): Promise<void> {
    await this.fetch(() => this._client.materialization(job.id), {
      channel: 'job',
      apply: next => {
        this._job = next;
        if (next.status === 'SUCCEEDED') {
          this._message = { kind: 'success', text: describeJob(next) };
        } else if (next.status === 'FAILED') {
          this._message = { kind: 'error', text: `Materialization failed: ${next.error ?? 'unknown error'}` };
          this.reload(); // no event follows a failure; the views done before it have changed
        }
      },
      fail: error => {
        this._job = { ...job, status: 'FAILED', error: describeError(error) };
        this._message = { kind: 'error', text: `Cannot follow the materialization: ${describeError(error)}` };
      }
    });
    this._follow();
  }

  private async _loadSelected(): Promise<void> {
    const view = this._selected;
    if (view === null) {
      return;
    }
    await Promise.all([
      this.fetch(() => this._client.featureRows(view, SAMPLE_ROWS), {
        channel: 'rows',
        apply: sample => {
          this._sample = sample;
          this._sampleError = null;
        },
        fail: error => {
          this._sample = null;
          this._sampleError = describeError(error);
        }
      }),
      this.fetch(() => this._client.featureViewLineage(view), {
        channel: 'users',
        apply: lineage => {
          this._users = lineage.versions;
          this._usersError = null;
        },
        fail: error => {
          this._users = null;
          this._usersError = describeError(error);
        }
      })
    ]);
  }

  private _clearSelection(): void {
    this._selected = null;
    this._sample = null;
    this._sampleError = null;
    this._users = null;
    this._usersError = null;
    this._checkError = null;
  }

  private _client: WorkbenchClient;
  private _pollMs: number;
  private _pollTimer = 0;
  private _overview: FeatureStoreOverview | null = null;
  private _selected: string | null = null;
  private _sample: FeatureSample | null = null;
  private _sampleError: string | null = null;
  private _users: VersionRef[] | null = null;
  private _usersError: string | null = null;
  private _consistency = new Map<string, ViewConsistency>();
  private _checking = false;
  private _checkError: string | null = null;
  private _job: MaterializationJob | null = null;
  private _message: IFeaturesMessage | null = null;
}

export namespace FeaturesModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
    debounceMs?: number;
    /** How often a running materialization is asked for (ms). */
    pollMs?: number;
  }
}

/** "Materialized 2 views up to 14:05". */
export function describeJob(job: MaterializationJob): string {
  const views = job.views.length;
  const until = new Date(job.end * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `Materialized ${views} view${views === 1 ? '' : 's'} up to ${until}`;
}
