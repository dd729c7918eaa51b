import { ISignal } from '@lumino/signaling';

import { Deployment, EventStream, WorkbenchClient, WorkbenchEvent } from '../api';
import { BaseModel } from './base';

const SERVING_EVENTS = new Set<string>(['MODEL_DEPLOYED', 'TRAFFIC_CHANGED']);

/**
 * The deployments of the workspace: which registered versions stand behind which endpoints, with their
 * share of the traffic. Loaded once, then reloaded when the event stream brings a deployment or a traffic
 * change. Never polls.
 */
export class ServingModel extends BaseModel {
  constructor(options: ServingModel.IOptions) {
    super({ events: options.events });
    this._client = options.client;
  }

  get deploymentsChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  /** Most recent first, as the server lists them. */
  get deployments(): readonly Deployment[] {
    return this._deployments;
  }
  /** The endpoints, each once, in the order of their latest deployment. */
  get endpoints(): readonly string[] {
    return [...new Set(this._deployments.map(d => d.endpoint))];
  }

  async load(): Promise<void> {
    await this.fetch(() => this._client.deployments(), {
      apply: deployments => (this._deployments = deployments),
      what: 'Cannot list deployments'
    });
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return SERVING_EVENTS.has(event.type);
  }

  private _client: WorkbenchClient;
  private _deployments: Deployment[] = [];
}

export namespace ServingModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}
