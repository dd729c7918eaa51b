import { ISignal } from '@lumino/signaling';

import {
  ApiError,
  describeError,
  EventStream,
  TrainingJobSummary,
  WorkbenchClient,
  WorkbenchEvent
} from '../api';
import { BaseModel } from './base';

/** Where a cancel asked from this panel stands (the server's `cancel_requested` covers other panels). */
export interface ICancelState {
  /** This panel asked (the request is on its way or was accepted): "Cancelling…" until the job ends. */
  asked: boolean;
  /** Why the last request failed, until the next one. */
  error: string | null;
}

const NO_CANCEL: ICancelState = { asked: false, error: null };

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
export class JobsModel extends BaseModel {
  constructor(options: JobsModel.IOptions) {
    super({ events: options.events });
    this._client = options.client;
  }

  get jobsChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  get jobs(): readonly TrainingJobSummary[] {
    return this._jobs;
  }
  get running(): readonly TrainingJobSummary[] {
    return this._jobs.filter(job => job.status === 'RUNNING');
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
    this.emit();
    try {
      const job = await this._client.cancelJob(jobId);
      this._jobs = this._jobs.map(known => (known.job_id === job.job_id ? job : known));
    } catch (error) {
      this._cancels.set(jobId, { asked: false, error: `Cannot cancel: ${describeError(error)}` });
      if (error instanceof ApiError && error.status === 409) {
        void this.load(); // it has ended meanwhile: show how
      }
    }
    this.emit();
  }

  async load(): Promise<void> {
    await this.fetch(() => this._client.jobs(), {
      apply: jobs => (this._jobs = jobs),
      what: 'Cannot list training jobs'
    });
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    const progress = event.type === 'RUNS_CHANGED' && this.running.length > 0;
    return TRAINING_EVENTS.has(event.type) || progress;
  }

  private _client: WorkbenchClient;
  private _jobs: TrainingJobSummary[] = [];
  private _cancels = new Map<string, ICancelState>();
}

export namespace JobsModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}
