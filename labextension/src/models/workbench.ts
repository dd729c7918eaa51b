import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError, EventStream, Experiment, ServerInfo, WorkbenchClient, WorkbenchEvent } from '../api';
import { JobsModel } from './jobs';
import { RegistryModel } from './registry';
import { RunsModel } from './runs';

/** The tabs of the side panel. */
export type PanelView = 'runs' | 'jobs' | 'models';

/** Wait this long after a RUNS_CHANGED event before reloading, so a burst of runs reloads once. */
const REFRESH_DEBOUNCE_MS = 400;

/**
 * State of the side panel: server info, the open tab, the experiments, the open experiment and its runs, the
 * training jobs. Listens to the event stream and reloads what an event says has changed.
 */
export class WorkbenchModel implements IDisposable {
  constructor(options: WorkbenchModel.IOptions) {
    this.client = options.client;
    this.runs = new RunsModel({ client: options.client });
    this.jobs = new JobsModel({ client: options.client, events: options.events });
    this.registry = new RegistryModel({ client: options.client, events: options.events });
    this._events = options.events;
    this.runs.changed.connect(this._emit, this);
    this.jobs.changed.connect(this._emit, this);
    this.registry.changed.connect(this._emit, this);
    this._events?.received.connect(this._onEvent, this);
  }

  readonly client: WorkbenchClient;
  readonly runs: RunsModel;
  readonly jobs: JobsModel;
  readonly registry: RegistryModel;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** The open tab. */
  get view(): PanelView {
    return this._view;
  }
  get info(): ServerInfo | null {
    return this._info;
  }
  /** Why the panel cannot work (server extension missing, server down), if so. */
  get serverError(): string | null {
    return this._serverError;
  }
  get experiments(): readonly Experiment[] {
    return this._experiments;
  }
  get experimentsLoading(): boolean {
    return this._experimentsLoading;
  }
  get selectedExperiment(): Experiment | null {
    return this._experiments.find(e => e.experiment_id === this.runs.experimentId) ?? null;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Probe the server extension, list the experiments and start listening for events. */
  async start(): Promise<void> {
    try {
      this._info = await this.client.info();
      this._serverError = null;
    } catch (error) {
      this._serverError = describeError(error);
      this._emit();
      return;
    }
    this._events?.connect();
    await Promise.all([this.loadExperiments(), this.jobs.load(), this.registry.load()]);
  }

  setView(view: PanelView): void {
    if (view !== this._view) {
      this._view = view;
      this._emit();
    }
  }

  /** Show the runs of an experiment (from a job row, say). */
  async openRuns(experimentId: string): Promise<void> {
    this.setView('runs');
    if (!this._experiments.some(e => e.experiment_id === experimentId)) {
      await this.loadExperiments();
    }
    await this.selectExperiment(experimentId);
  }

  async loadExperiments(): Promise<void> {
    this._experimentsLoading = true;
    this._emit();
    try {
      this._experiments = await this.client.experiments();
      this._serverError = null;
    } catch (error) {
      this._serverError = describeError(error);
    } finally {
      this._experimentsLoading = false;
      this._emit();
    }
  }

  async selectExperiment(experimentId: string): Promise<void> {
    if (experimentId !== this.runs.experimentId) {
      await this.runs.open(experimentId);
    }
  }

  /** The refresh button: retry the server if it was missing, else reload experiments and runs. */
  async refresh(): Promise<void> {
    if (this._serverError !== null || this._info === null) {
      await this.start();
      return;
    }
    await Promise.all([this.loadExperiments(), this.runs.refresh(), this.jobs.load(), this.registry.load()]);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._refreshTimer);
    this._events?.received.disconnect(this._onEvent, this);
    this.runs.dispose();
    this.jobs.dispose();
    this.registry.dispose();
    Signal.clearData(this);
  }

  private _onEvent(_: EventStream, event: WorkbenchEvent): void {
    if (event.type !== 'RUNS_CHANGED') {
      return;
    }
    const open = this.runs.experimentId;
    const about = event.payload?.['experiment_id'];
    const isOpen = open !== null && (event.subject === open || about === open);
    window.clearTimeout(this._refreshTimer);
    this._refreshTimer = window.setTimeout(() => {
      void this.loadExperiments();
      if (isOpen && !this.runs.loading) {
        void this.runs.refresh();
      }
    }, REFRESH_DEBOUNCE_MS);
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _events: EventStream | null;
  private _view: PanelView = 'runs';
  private _info: ServerInfo | null = null;
  private _serverError: string | null = null;
  private _experiments: Experiment[] = [];
  private _experimentsLoading = false;
  private _refreshTimer = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace WorkbenchModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}
