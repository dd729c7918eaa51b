import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  ApiError,
  describeError,
  EventStream,
  TrainingJobSummary,
  WorkbenchClient,
  WorkbenchEvent
} from '../api';

/** Where a cancel asked from this panel stands (the server's `cancel_requested` covers other panels). */
export interface ICancelState {
  /** This panel asked (the request is on its way or was accepted): "Cancelling…" until the job ends. */
  asked: boolean;
  /** Why the last request failed, until the next one. */
  error: string | null;
}

const NO_CANCEL: ICancelState = { asked: false, error: null };

/** Coalesce a burst of events (a trial ending, its run changing) into one reload. */
const RELOAD_DEBOUNCE_MS = 300;

const TRAINING_EVENTS = new Set<string>([
  'MODEL_TRAINING_STARTED',
  'MODEL_TRAINING_COMPLETED',
  'MODEL_TRAINING_FAILED',
  'MODEL_TRAINING_CANCEL_REQUESTED'
]);

/**
 * The training jobs of the workspace. Loaded once, then reloaded only when the event stream says something
 * changed: a training event, or runs changing while a job runs (its trials progressing). Never polls.
 */
export class JobsModel implements IDisposable {
  constructor(options: JobsModel.IOptions) {
    this._client = options.client;
    this._events = options.events;
    this._events?.received.connect(this._onEvent, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get jobs(): readonly TrainingJobSummary[] {
    return this._jobs;
  }
  get running(): readonly TrainingJobSummary[] {
    return this._jobs.filter(job => job.status === 'RUNNING');
  }
  /** False until the first list arrived (or failed). */
  get loaded(): boolean {
    return this._loaded;
  }
  get loading(): boolean {
    return this._pending > 0;
  }
  get error(): string | null {
    return this._error;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  cancelState(jobId: string): ICancelState {
    return this._cancels.get(jobId) ?? NO_CANCEL;
  }

  /**
   * Ask the server to have a running job cancelled by the kernel that runs it. The row then shows the
   * server's answer (`cancel_requested`) until the event stream brings the job's end (KILLED).
   */
  async cancel(jobId: string): Promise<void> {
    if (this.cancelState(jobId).asked) {
      return;
    }
    this._cancels.set(jobId, { asked: true, error: null });
    this._emit();
    try {
      const job = await this._client.cancelJob(jobId);
      this._jobs = this._jobs.map(known => (known.job_id === job.job_id ? job : known));
    } catch (error) {
      this._cancels.set(jobId, { asked: false, error: `Cannot cancel: ${describeError(error)}` });
      if (error instanceof ApiError && error.status === 409) {
        void this.load(); // it has ended meanwhile: show how
      }
    }
    this._emit();
  }

  async load(): Promise<void> {
    this._pending++;
    this._emit();
    try {
      this._jobs = await this._client.jobs();
      this._error = null;
    } catch (error) {
      this._error = `Cannot list training jobs: ${describeError(error)}`;
    } finally {
      this._pending--;
      this._loaded = true;
      this._emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._reloadTimer);
    this._events?.received.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  private _onEvent(_: EventStream, event: WorkbenchEvent): void {
    const progress = event.type === 'RUNS_CHANGED' && this.running.length > 0;
    if (TRAINING_EVENTS.has(event.type) || progress) {
      window.clearTimeout(this._reloadTimer);
      this._reloadTimer = window.setTimeout(() => void this.load(), RELOAD_DEBOUNCE_MS);
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _client: WorkbenchClient;
  private _events: EventStream | null;
  private _jobs: TrainingJobSummary[] = [];
  private _loaded = false;
  private _pending = 0;
  private _error: string | null = null;
  private _cancels = new Map<string, ICancelState>();
  private _reloadTimer = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace JobsModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}
