import { Notification } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';

import {
  Alert,
  CheckOutcome,
  CheckPoint,
  describeError,
  DriftReport,
  EventStream,
  HealthReport,
  MonitoredEndpoint,
  WorkbenchClient,
  WorkbenchEvent
} from '../api';
import { BaseModel } from './base';

/** Events raised by the monitoring's checks: a notification, then the tab reloads. */
const ALERT_EVENTS = new Set<string>(['MODEL_DRIFT_DETECTED', 'MODEL_HEALTH_DEGRADED']);

/** Events after which the monitored endpoints (their versions, their traffic) may have changed. */
const MONITORING_EVENTS = new Set<string>([
  ...ALERT_EVENTS,
  'MODEL_DEPLOYED',
  'MODEL_UNDEPLOYED',
  'TRAFFIC_CHANGED',
  'CANARY_PROMOTED',
  'CANARY_ROLLED_BACK'
]);

/** The windows the tab offers; the server accepts any `30m`, `1h`, `1d`... */
export const MONITORING_WINDOWS = ['1h', '1d', '7d'] as const;
export type MonitoringWindow = (typeof MONITORING_WINDOWS)[number];

/** The outcome of "Check now", for the user. */
export interface IMonitoringMessage {
  kind: 'success' | 'error';
  text: string;
}

/** Drifted share of a past check: its drifted features over the features it judged. */
export function driftedShare(point: CheckPoint): number | null {
  const judged = Object.keys(point.severity ?? {}).length;
  return judged > 0 ? point.drifted_features / judged : null;
}

/**
 * The Monitoring tab's state: the monitored endpoints with their last check and health over the window, the
 * alerts, and for the selected endpoint its drift report and check history. Every rule (thresholds, windows,
 * what an alert is) is the server's; this holds what it answered. Reloaded when the event stream brings a
 * monitoring or serving event (never polled); a drift or health alert also shows a notification.
 */
export class MonitoringModel extends BaseModel {
  constructor(options: MonitoringModel.IOptions) {
    super({ events: options.events, debounceMs: options.debounceMs });
    this._client = options.client;
    this._notify = options.notify ?? notify;
    this._stream = options.events ?? null;
    this._stream?.received.connect(this._onAlertEvent, this);
  }

  get monitoringChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  /** Emitted with an endpoint's name when the user asks to see it (from a notification). */
  get showRequested(): ISignal<this, string> {
    return this._showRequested;
  }
  get endpoints(): readonly MonitoredEndpoint[] {
    return this._endpoints;
  }
  /** Newest first. */
  get alerts(): readonly Alert[] {
    return this._alerts;
  }
  get window(): MonitoringWindow {
    return this._window;
  }
  get selected(): string | null {
    return this._selected;
  }
  /** The selected endpoint's drift over the window, once answered. */
  get drift(): DriftReport | null {
    return this._drift;
  }
  /** Why the drift of the selected endpoint could not be computed (the server's message). */
  get driftError(): string | null {
    return this._driftError;
  }
  get driftLoading(): boolean {
    return this._driftLoading;
  }
  /** The feature whose distributions and score over time are shown (null: none). */
  get feature(): string | null {
    return this._feature;
  }
  /** The selected endpoint's past checks, oldest first. */
  get history(): readonly CheckPoint[] {
    return this._history;
  }
  /** A check of the selected endpoint is running. */
  get checking(): boolean {
    return this._checking;
  }
  get message(): IMonitoringMessage | null {
    return this._message;
  }

  /** The health of an endpoint over the window, or why it is unknown. */
  health(name: string): HealthReport | string | null {
    return this._health.get(name) ?? null;
  }

  async load(): Promise<void> {
    await Promise.all([
      this.fetch(() => this._client.monitoredEndpoints(), {
        apply: endpoints => {
          this._endpoints = endpoints;
          if (this._selected !== null && !endpoints.some(e => e.endpoint === this._selected)) {
            this._clearSelection();
          }
        },
        what: 'Cannot list the monitored endpoints'
      }),
      this.fetch(() => this._client.alerts(), {
        channel: 'alerts',
        apply: alerts => (this._alerts = alerts),
        what: 'Cannot list the alerts'
      })
    ]);
    await Promise.all([this._loadHealth(), this._loadSelected()]);
  }

  /** Show an endpoint's drift and history (null: none). */
  async select(name: string | null): Promise<void> {
    if (name === this._selected) {
      return;
    }
    this._clearSelection();
    this._selected = name;
    this.emit();
    await this._loadSelected();
  }

  /** Show a feature's reference vs current distributions and its score over time; again to hide them. */
  selectFeature(name: string | null): void {
    this._feature = name === this._feature ? null : name;
    this.emit();
  }

  async setWindow(window: MonitoringWindow): Promise<void> {
    if (window === this._window) {
      return;
    }
    this._window = window;
    this._drift = null;
    this._driftError = null;
    this.emit();
    await Promise.all([this._loadHealth(), this._loadSelected()]);
  }

  /** Apply the model's alert rules to the selected endpoint now; its outcome becomes `message`. */
  async checkNow(): Promise<void> {
    const name = this._selected;
    if (name === null || this._checking) {
      return;
    }
    this._checking = true;
    this._message = null;
    await this.act(async () => {
      try {
        const outcome = await this._client.checkNow(name);
        if (this._selected === name) {
          this._message = { kind: 'success', text: describeOutcome(outcome) };
        }
      } catch (error) {
        if (this._selected === name) {
          this._message = { kind: 'error', text: `Cannot check '${name}': ${describeError(error)}` };
        }
      } finally {
        this._checking = false;
      }
    });
    await this.load();
  }

  override dispose(): void {
    this._stream?.received.disconnect(this._onAlertEvent, this);
    super.dispose();
  }

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return MONITORING_EVENTS.has(event.type);
  }

  /** A drift or health alert: tell the user at once, wherever they are (the reload follows, debounced). */
  private _onAlertEvent(_: EventStream, event: WorkbenchEvent): void {
    if (!ALERT_EVENTS.has(event.type)) {
      return;
    }
    const payload = event.payload ?? {};
    const endpoint = typeof payload.endpoint === 'string' ? payload.endpoint : event.subject;
    const what = event.type === 'MODEL_DRIFT_DETECTED' ? 'Drift detected' : 'Health degraded';
    const detail = typeof payload.message === 'string' ? `: ${payload.message}` : '';
    this._notify(`${what} on endpoint '${endpoint}'${detail}`, () => this._showRequested.emit(endpoint));
  }

  private async _loadHealth(): Promise<void> {
    const window = this._window;
    await Promise.all(
      this._endpoints.map(({ endpoint }) =>
        this.fetch(() => this._client.health(endpoint, window), {
          channel: `health:${endpoint}`,
          apply: report => this._health.set(endpoint, report),
          fail: error => this._health.set(endpoint, describeError(error))
        })
      )
    );
  }

  /** The selected endpoint's drift over the window and its check history. */
  private async _loadSelected(): Promise<void> {
    const name = this._selected;
    if (name === null) {
      return;
    }
    this._driftLoading = true;
    this.emit();
    await Promise.all([
      this.fetch(() => this._client.drift(name, this._window), {
        channel: 'drift',
        apply: report => {
          this._drift = report;
          this._driftError = null;
          this._driftLoading = false;
        },
        fail: error => {
          this._drift = null;
          this._driftError = describeError(error);
          this._driftLoading = false;
        }
      }),
      this.fetch(() => this._client.driftHistory(name), {
        channel: 'history',
        apply: history => (this._history = history.points),
        fail: () => (this._history = [])
      })
    ]);
  }

  private _clearSelection(): void {
    this._selected = null;
    this._drift = null;
    this._driftError = null;
    this._driftLoading = false;
    this._history = [];
    this._feature = null;
    this._message = null;
  }

  private _client: WorkbenchClient;
  private _stream: EventStream | null;
  private _notify: MonitoringModel.Notify;
  private _endpoints: MonitoredEndpoint[] = [];
  private _alerts: Alert[] = [];
  private _health = new Map<string, HealthReport | string>();
  private _window: MonitoringWindow = '1d';
  private _selected: string | null = null;
  private _drift: DriftReport | null = null;
  private _driftError: string | null = null;
  private _driftLoading = false;
  private _history: CheckPoint[] = [];
  private _feature: string | null = null;
  private _checking = false;
  private _message: IMonitoringMessage | null = null;
  private _showRequested = new Signal<this, string>(this);
}

export namespace MonitoringModel {
  /** Show a message to the user, with a way to open the endpoint it is about. */
  export type Notify = (message: string, show: () => void) => void;

  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
    debounceMs?: number;
    /** How alerts reach the user; a JupyterLab notification by default. */
    notify?: Notify;
  }
}

function notify(message: string, show: () => void): void {
  Notification.warning(message, {
    autoClose: 10000,
    actions: [{ label: 'Show', caption: 'Open the Monitoring tab on this endpoint', callback: show }]
  });
}

/** "Checked 1,500 rows of v1: drift (1 new alert)". */
export function describeOutcome(outcome: CheckOutcome): string {
  const subject = `Checked ${outcome.rows.toLocaleString()} rows of v${outcome.version}`;
  if (outcome.skipped) {
    return `${subject}: nothing judged (${outcome.skipped})`;
  }
  const breaches = outcome.breaches ?? [];
  if (breaches.length === 0) {
    return `${subject}: no breach`;
  }
  const alerts = outcome.alerts?.length ?? 0;
  const raised =
    alerts === 0 ? 'no new alert while cooling down' : `${alerts} new alert${alerts === 1 ? '' : 's'}`;
  return `${subject}: ${breaches.map(b => b.replace(/_/g, ' ')).join(', ')} (${raised})`;
}
