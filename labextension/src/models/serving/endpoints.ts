import { ISignal, Signal } from '@lumino/signaling';

import {
  CanaryPolicy,
  describeError,
  DeployRequest,
  Endpoint,
  EventStream,
  RegisteredModelSummary,
  WorkbenchClient,
  WorkbenchEvent
} from '../../api';
import { BaseModel } from '../base';
import { ServingStatsModel } from './stats';

/** Events after which the endpoints (or the stages and owners shown with them) may have changed. */
const SERVING_EVENTS = new Set<string>([
  'MODEL_DEPLOYED',
  'MODEL_UNDEPLOYED',
  'TRAFFIC_CHANGED',
  'SHADOW_STARTED',
  'SHADOW_STOPPED',
  'CANARY_STARTED',
  'CANARY_STEP',
  'CANARY_WAITING_APPROVAL',
  'CANARY_PROMOTED',
  'CANARY_ROLLED_BACK',
  'MODEL_REGISTERED',
  'MODEL_PROMOTED',
  'MODEL_ARCHIVED'
]);

/** The outcome of the last action on an endpoint (or of the last deploy), for the user. */
export interface IServingMessage {
  kind: 'success' | 'error';
  text: string;
}

/**
 * The endpoints of the workspace as the Deployments tab shows them: their versions, split, rollout and
 * status, and the actions on them (deploy, move traffic, shadow, canary, undeploy). Every rule (valid splits,
 * who may change traffic, deployable stages) is the server's; this holds what it answered. Reloaded when the
 * event stream brings a serving event; the live numbers are `stats`, polled only while on screen.
 */
export class ServingModel extends BaseModel {
  constructor(options: ServingModel.IOptions) {
    super({ events: options.events });
    this._client = options.client;
    this.stats = new ServingStatsModel({
      client: options.client,
      names: () => this._endpoints.map(e => e.name),
      intervalMs: options.statsIntervalMs
    });
  }

  /** Live per-version numbers of the endpoints. */
  readonly stats: ServingStatsModel;

  get deploymentsChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  /** Emitted with an endpoint's name after an action on it succeeded (its traffic form starts over). */
  get endpointUpdated(): ISignal<this, string> {
    return this._endpointUpdated;
  }
  /** Newest first, as the server lists them. */
  get endpoints(): readonly Endpoint[] {
    return this._endpoints;
  }
  /** What the deploy form suggests: `NAME@production` and `NAME@staging` of the registered models. */
  get suggestions(): readonly string[] {
    return this._models.flatMap(m => [
      ...(m.production_version ? [`${m.name}@production`] : []),
      ...(m.staging_version ? [`${m.name}@staging`] : [])
    ]);
  }
  /** A deployment is starting (a Ray Serve application comes up: 10-60 s). */
  get deploying(): boolean {
    return this._deploying;
  }
  /** The outcome of the last deploy. */
  get deployMessage(): IServingMessage | null {
    return this._deployMessage;
  }

  endpoint(name: string): Endpoint | null {
    return this._endpoints.find(e => e.name === name) ?? null;
  }
  /** What is being done to an endpoint ("Applying the split…"), or null. */
  pending(name: string): string | null {
    return this._inFlight.get(name) ?? null;
  }
  message(name: string): IServingMessage | null {
    return this._messages.get(name) ?? null;
  }
  /** The owners of a registered model (who, with the leads, may change its endpoints' traffic). */
  owners(model: string): readonly string[] | null {
    return this._models.find(m => m.name === model)?.owners ?? null;
  }

  async load(): Promise<void> {
    await Promise.all([
      this.fetch(() => this._client.endpoints(), {
        apply: endpoints => (this._endpoints = endpoints),
        what: 'Cannot list endpoints'
      }),
      // Only for suggestions and owners: a registry problem shows in the Models tab, not here.
      this.fetch(() => this._client.models(), {
        channel: 'models',
        apply: m => (this._models = m),
        fail: () => {}
      })
    ]);
  }

  /** Deploy a registered version; resolves to whether it worked (the form then clears). */
  async deploy(request: DeployRequest): Promise<boolean> {
    if (this._deploying) {
      return false;
    }
    this._deploying = true;
    this._deployMessage = null;
    this.emit();
    try {
      const endpoint = await this._client.deploy(request);
      this._put(endpoint);
      const version = endpoint.versions[endpoint.versions.length - 1];
      const role = version?.shadow ? 'as a shadow' : `with ${version?.weight ?? 0}% of the traffic`;
      this._deployMessage = {
        kind: 'success',
        text: `${endpoint.model} v${version?.version} is live behind '${endpoint.name}' ${role}`
      };
      return true;
    } catch (error) {
      this._deployMessage = { kind: 'error', text: describeError(error) };
      return false;
    } finally {
      this._deploying = false;
      this.emit();
      void this.load();
    }
  }

  /** Send a whole split at once (one PUT); resolves to whether the server took it. */
  setTraffic(name: string, weights: Record<string, number>): Promise<boolean> {
    const split = Object.entries(weights)
      .map(([v, w]) => `v${v} ${w}%`)
      .join(', ');
    return this._onEndpoint(name, 'Applying the split…', () => this._client.setTraffic(name, weights), {
      success: `Traffic is now ${split}`
    });
  }

  setShadow(name: string, version: string, enabled: boolean): Promise<boolean> {
    return this._onEndpoint(
      name,
      enabled ? `Starting the shadow of v${version}…` : `Stopping the shadow of v${version}…`,
      () => this._client.setShadow(name, version, enabled),
      { success: enabled ? `v${version} now shadows the live traffic` : `v${version} is no longer a shadow` }
    );
  }

  startCanary(name: string, policy: CanaryPolicy): Promise<boolean> {
    return this._onEndpoint(name, 'Starting the canary…', () => this._client.startCanary(name, policy), {
      success: `Canary of v${policy.version} started at ${policy.steps?.[0] ?? 5}%`
    });
  }

  stopCanary(name: string): Promise<boolean> {
    return this._onEndpoint(name, 'Stopping the canary…', () => this._client.stopCanary(name), {
      success: 'Canary stopped: the candidate is back to 0%'
    });
  }

  /** Remove one version, or (without `version`) the whole endpoint. */
  async undeploy(name: string, version?: string): Promise<boolean> {
    const what = version === undefined ? `endpoint '${name}'` : `v${version}`;
    return this._onEndpoint(name, `Removing ${what}…`, () => this._client.undeploy(name, version), {
      success: `Removed ${what}`
    });
  }

  override dispose(): void {
    this.stats.dispose();
    super.dispose();
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return SERVING_EVENTS.has(event.type);
  }

  /**
   * Run an action on one endpoint: its `pending` text meanwhile, its reply shown at once, its outcome as the
   * endpoint's message; then the list again (other panels may have changed it too).
   */
  private async _onEndpoint(
    name: string,
    pending: string,
    action: () => Promise<Endpoint | Endpoint[]>,
    text: { success: string }
  ): Promise<boolean> {
    if (this._inFlight.has(name)) {
      return false;
    }
    this._inFlight.set(name, pending);
    this._messages.delete(name);
    let ok = false;
    await this.act(async () => {
      try {
        const reply = await action();
        if (Array.isArray(reply)) {
          this._endpoints = reply; // an undeploy answers with the endpoints left
          if (!reply.some(e => e.name === name)) {
            this.stats.forget(name);
          }
        } else {
          this._put(reply);
        }
        this._messages.set(name, { kind: 'success', text: text.success });
        ok = true;
      } catch (error) {
        this._messages.set(name, { kind: 'error', text: describeError(error) });
      } finally {
        this._inFlight.delete(name);
      }
    });
    if (ok) {
      this._endpointUpdated.emit(name);
    }
    void this.load();
    return ok;
  }

  /** Replace (or add, first) an endpoint with the server's latest view of it. */
  private _put(endpoint: Endpoint): void {
    const known = this._endpoints.some(e => e.name === endpoint.name);
    this._endpoints = known
      ? this._endpoints.map(e => (e.name === endpoint.name ? endpoint : e))
      : [endpoint, ...this._endpoints];
  }

  private _client: WorkbenchClient;
  private _endpoints: Endpoint[] = [];
  private _models: RegisteredModelSummary[] = [];
  private _deploying = false;
  private _deployMessage: IServingMessage | null = null;
  private _inFlight = new Map<string, string>();
  private _messages = new Map<string, IServingMessage>();
  private _endpointUpdated = new Signal<this, string>(this);
}

export namespace ServingModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
    statsIntervalMs?: number;
  }
}
