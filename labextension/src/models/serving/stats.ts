import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError, EndpointStats, WorkbenchClient } from '../../api';
import { BaseModel } from '../base';

/** How often the live stats are asked for while they are on screen. */
export const STATS_INTERVAL_MS = 2000;
/** Samples kept per endpoint for the request-rate chart (two minutes at the default interval). */
export const RATE_SAMPLES = 60;

/** Requests per second of each version between two polls. */
export interface IRatePoint {
  /** When the later poll answered, in ms since the epoch. */
  time: number;
  rates: Record<string, number>;
}

interface ISample {
  time: number;
  requests: Record<string, number>;
}

/**
 * Live per-version stats of the endpoints on screen, polled every couple of seconds while a view watches and
 * the page is visible. Replies older than the latest request of their endpoint are dropped; `statsChanged`
 * is emitted (with the endpoint's name) only when an endpoint's numbers changed, so an idle endpoint does
 * not redraw its charts.
 */
export class ServingStatsModel extends BaseModel {
  constructor(options: ServingStatsModel.IOptions) {
    super();
    this._client = options.client;
    this._names = options.names;
    this._intervalMs = options.intervalMs ?? STATS_INTERVAL_MS;
  }

  /** An endpoint's numbers changed (its name), or its stats failed or recovered. */
  get statsChanged(): ISignal<this, string> {
    return this._statsChanged;
  }

  stats(name: string): EndpointStats | null {
    return this._stats.get(name) ?? null;
  }

  /** Why the last poll of this endpoint failed, until one succeeds. */
  statsError(name: string): string | null {
    return this._errors.get(name) ?? null;
  }

  /** Requests per second of each version over the last polls, oldest first. */
  rates(name: string): readonly IRatePoint[] {
    return this._rates.get(name) ?? [];
  }

  /**
   * Poll while the returned handle is not disposed; a round is skipped while `visible()` is false (the tab
   * hidden, the sidebar collapsed, the browser tab in the background). Polls once at once.
   */
  watch(visible: () => boolean): IDisposable {
    const watcher = { visible };
    this._watchers.add(watcher);
    this._schedule(0);
    let disposed = false;
    return {
      get isDisposed() {
        return disposed;
      },
      dispose: () => {
        disposed = true;
        this._watchers.delete(watcher);
        if (this._watchers.size === 0) {
          window.clearTimeout(this._timer);
          this._timer = 0;
        }
      }
    };
  }

  /** One round: the stats of every endpoint, side by side. */
  async load(): Promise<void> {
    const names = this._names();
    for (const name of [...this._stats.keys()]) {
      if (!names.includes(name)) {
        this._forget(name);
      }
    }
    await Promise.all(names.map(name => this._poll(name)));
  }

  /** Forget an endpoint's numbers (it was undeployed or replaced). */
  forget(name: string): void {
    this._forget(name);
    this._statsChanged.emit(name);
  }

  override dispose(): void {
    window.clearTimeout(this._timer);
    this._watchers.clear();
    super.dispose();
  }

  private async _poll(name: string): Promise<void> {
    await this.fetch(() => this._client.endpointStats(name), {
      channel: `stats:${name}`,
      apply: stats => this._apply(name, stats),
      fail: error => {
        const text = `Live stats unavailable: ${describeError(error)}`;
        if (this._errors.get(name) !== text) {
          this._errors.set(name, text);
          this._statsChanged.emit(name);
        }
      }
    });
  }

  private _apply(name: string, stats: EndpointStats): void {
    const now = Date.now();
    const requests = Object.fromEntries(Object.entries(stats.versions).map(([v, s]) => [v, s.requests]));
    const last = this._samples.get(name);
    this._samples.set(name, { time: now, requests });
    const changed = JSON.stringify(stats) !== JSON.stringify(this._stats.get(name) ?? null);
    if (last && changed) {
      const seconds = Math.max((now - last.time) / 1000, 0.001);
      const rates: Record<string, number> = {};
      for (const [version, count] of Object.entries(requests)) {
        // A restarted replica counts from zero again: no negative rates.
        rates[version] = Math.max(0, count - (last.requests[version] ?? 0)) / seconds;
      }
      const points = [...this.rates(name), { time: now, rates }];
      this._rates.set(name, points.slice(-RATE_SAMPLES));
    }
    const hadError = this._errors.delete(name);
    if (changed) {
      this._stats.set(name, stats);
    }
    if (changed || hadError) {
      this._statsChanged.emit(name);
    }
  }

  private _forget(name: string): void {
    this._stats.delete(name);
    this._errors.delete(name);
    this._samples.delete(name);
    this._rates.delete(name);
  }

  /** The next round in `delay` ms, after the current one answered (slow replies never pile up). */
  private _schedule(delay: number): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(async () => {
      if (this.isDisposed || this._watchers.size === 0) {
        return;
      }
      const visible = !document.hidden && [...this._watchers].some(w => w.visible());
      if (visible) {
        await this.load();
      }
      if (!this.isDisposed && this._watchers.size > 0) {
        this._schedule(this._intervalMs);
      }
    }, delay);
  }

  private _client: WorkbenchClient;
  private _names: () => string[];
  private _intervalMs: number;
  private _timer = 0;
  private _watchers = new Set<{ visible: () => boolean }>();
  private _stats = new Map<string, EndpointStats>();
  private _errors = new Map<string, string>();
  private _samples = new Map<string, ISample>();
  private _rates = new Map<string, IRatePoint[]>();
  private _statsChanged = new Signal<this, string>(this);
}

export namespace ServingStatsModel {
  export interface IOptions {
    client: WorkbenchClient;
    /** The endpoints to poll. */
    names: () => string[];
    intervalMs?: number;
  }
}
