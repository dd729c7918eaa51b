import { ISignal } from '@lumino/signaling';

import { EventStream, Experiment, WorkbenchClient, WorkbenchEvent } from '../../api';
import { BaseModel } from '../base';
import { RUNS_DEBOUNCE_MS } from './runs';

/** The experiments of the workspace (name, run count), reloaded when the event stream says runs changed. */
export class ExperimentsModel extends BaseModel {
  constructor(options: ExperimentsModel.IOptions) {
    super({ events: options.events, debounceMs: RUNS_DEBOUNCE_MS });
    this._client = options.client;
  }

  get experimentsChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  get experiments(): readonly Experiment[] {
    return this._experiments;
  }

  find(experimentId: string | null): Experiment | null {
    return this._experiments.find(e => e.experiment_id === experimentId) ?? null;
  }

  async load(): Promise<void> {
    await this.fetch(() => this._client.experiments(), {
      apply: experiments => (this._experiments = experiments)
    });
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return event.type === 'RUNS_CHANGED';
  }

  private _client: WorkbenchClient;
  private _experiments: Experiment[] = [];
}

export namespace ExperimentsModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}
