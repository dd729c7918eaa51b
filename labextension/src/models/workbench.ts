import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError, EventStream, ServerInfo, WorkbenchClient } from '../api';
import type { BaseModel } from './base';
import { FeaturesModel } from './features';
import { MonitoringModel } from './monitoring';
import { RegistryModel } from './registry';
import { ServingModel } from './serving';
import { ExperimentsModel, RunsModel } from './tracking';
import { JobsModel } from './training';

/** The tabs of the side panel. */
export type PanelView = 'runs' | 'jobs' | 'models' | 'deployments' | 'monitoring' | 'features';

/**
 * State of the side panel: server info and the open tab, over one model per capability (tracking:
 * experiments and runs; training: jobs; registry; serving; monitoring; features). Each capability model listens to the event
 * stream itself and emits its own signal; `panelChanged` covers only the tab and the server's status.
 */
export class WorkbenchModel implements IDisposable {
  constructor(options: WorkbenchModel.IOptions) {
    const { client, events } = options;
    this.client = client;
    this.experiments = new ExperimentsModel({ client, events });
    this.runs = new RunsModel({ client, events });
    this.jobs = new JobsModel({ client, events });
    this.registry = new RegistryModel({ client, events });
    this.serving = new ServingModel({ client, events });
    this.monitoring = new MonitoringModel({ client, events, notify: options.notify });
    this.features = new FeaturesModel({ client, events });
    // A notification's "Show": the Monitoring tab on that endpoint.
    this.monitoring.showRequested.connect((_, endpoint) => {
      this.setView('monitoring');
      void this.monitoring.select(endpoint);
    }, this);
    this._events = events;
    // A failing experiments list means the server is unusable: the panel shows that instead of its tabs.
    this.experiments.experimentsChanged.connect(this._checkServerError, this);
  }

  readonly client: WorkbenchClient;
  readonly experiments: ExperimentsModel;
  readonly runs: RunsModel;
  readonly jobs: JobsModel;
  readonly registry: RegistryModel;
  readonly serving: ServingModel;
  readonly monitoring: MonitoringModel;
  readonly features: FeaturesModel;

  /** The open tab or the server's status changed (not emitted for capability state). */
  get panelChanged(): ISignal<this, void> {
    return this._panelChanged;
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
    return this._infoError ?? this.experiments.error;
  }
  /** Some capability is waiting for the server. */
  get loading(): boolean {
    return this._capabilities().some(model => model.loading);
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Probe the server extension, load every capability and start listening for events. */
  async start(): Promise<void> {
    try {
      this._info = await this.client.info();
      this._infoError = null;
    } catch (error) {
      this._infoError = describeError(error);
      this._checkServerError();
      return;
    }
    this._checkServerError();
    this._events?.connect();
    await Promise.all([
      this.experiments.load(),
      this.jobs.load(),
      this.registry.load(),
      this.serving.load(),
      this.monitoring.load()
    ]);
  }

  setView(view: PanelView): void {
    if (view !== this._view) {
      this._view = view;
      this._emit();
    }
    // The feature store opens on the server on first use (Feast takes seconds to import): when first shown.
    if (view === 'features' && !this.features.loaded && !this.features.loading) {
      void this.features.load();
    }
  }

  /** Show the runs of an experiment (from a job row, say). */
  async openRuns(experimentId: string): Promise<void> {
    this.setView('runs');
    if (this.experiments.find(experimentId) === null) {
      await this.experiments.load();
    }
    await this.selectExperiment(experimentId);
  }

  async selectExperiment(experimentId: string): Promise<void> {
    if (experimentId !== this.runs.experimentId) {
      await this.runs.open(experimentId);
    }
  }

  /** The refresh button: retry the server if it was missing, else reload every capability. */
  async refresh(): Promise<void> {
    if (this.serverError !== null || this._info === null) {
      await this.start();
      return;
    }
    const shown = this._capabilities().filter(model => model !== this.features || model.loaded);
    await Promise.all(shown.map(model => model.load()));
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const model of this._capabilities()) {
      model.dispose();
    }
    Signal.clearData(this);
  }

  private _capabilities(): BaseModel[] {
    return [
      this.experiments,
      this.runs,
      this.jobs,
      this.registry,
      this.serving,
      this.monitoring,
      this.features
    ];
  }

  /** Emit `panelChanged` when the server's status changed. */
  private _checkServerError(): void {
    const error = this.serverError;
    if (error !== this._shownServerError) {
      this._shownServerError = error;
      this._emit();
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._panelChanged.emit();
    }
  }

  private _events: EventStream | null;
  private _view: PanelView = 'runs';
  private _info: ServerInfo | null = null;
  private _infoError: string | null = null;
  private _shownServerError: string | null = null;
  private _isDisposed = false;
  private _panelChanged = new Signal<this, void>(this);
}

export namespace WorkbenchModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
    /** How monitoring alerts reach the user (a JupyterLab notification by default). */
    notify?: MonitoringModel.Notify;
  }
}
