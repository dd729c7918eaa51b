import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { describeError, EventStream, WorkbenchEvent } from '../api';

/** Coalesce a burst of events (a trial ending, its run changing) into one reload. */
export const RELOAD_DEBOUNCE_MS = 300;

/** The channel of `load()`: its replies set `loaded` and, when they succeed, clear `error`. */
const LOAD = 'load';

/**
 * What every model of the panel repeats around its server calls, in one place: requests counted in
 * `loading`; replies older than the latest request of their channel dropped; the last failure as `error`;
 * an action in flight as `busy`; `reload()` debounced and triggered by the event stream; one signal.
 *
 * A subclass exposes that signal under its own name (`runsChanged`, `jobsChanged`, ...), so each view
 * listens only to the state it shows.
 */
export abstract class BaseModel implements IDisposable {
  constructor(options: BaseModel.IOptions = {}) {
    this._events = options.events ?? null;
    this._debounceMs = options.debounceMs ?? RELOAD_DEBOUNCE_MS;
    this._events?.received.connect(this._onEvent, this);
  }

  /** A request is in flight. */
  get loading(): boolean {
    return this._pending > 0;
  }
  /** False until the first `load()` answered (or failed). */
  get loaded(): boolean {
    return this._loaded;
  }
  /** An action (a change asked of the server) is in flight; events do not reload meanwhile. */
  get busy(): boolean {
    return this._busy;
  }
  /** Why the last request failed, until the next `load()` succeeds. */
  get error(): string | null {
    return this._error;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Ask the server for the model's state now. */
  abstract load(): Promise<void>;

  /** Load after a quiet period: a burst of calls (events, say) loads once. */
  reload(): void {
    if (this._isDisposed) {
      return;
    }
    window.clearTimeout(this._reloadTimer);
    this._reloadTimer = window.setTimeout(() => void this.onReload(), this._debounceMs);
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

  /** Emitted after every state change; subclasses expose it under a specific name. */
  protected readonly stateChanged = new Signal<this, void>(this);

  protected emit(): void {
    if (!this._isDisposed) {
      this.stateChanged.emit();
    }
  }

  /** Whether an event of the stream makes this model stale (it then reloads, debounced). */
  protected shouldReload(_event: WorkbenchEvent): boolean {
    return false;
  }

  /** What a due reload does; `load()` unless the model knows better. */
  protected onReload(): Promise<void> {
    return this.load();
  }

  protected setError(error: string | null): void {
    this._error = error;
  }

  /**
   * Send a request, counted in `loading`, and apply its reply unless a newer request of the same channel
   * was sent meanwhile (the newer one's reply is what the user asked for last). A failure of the latest
   * request goes to `fail`, else to `error` (prefixed by `what`). Resolves to whether the reply was applied.
   */
  protected async fetch<T>(request: () => Promise<T>, options: BaseModel.IFetch<T>): Promise<boolean> {
    const channel = options.channel ?? LOAD;
    const ticket = (this._latest.get(channel) ?? 0) + 1;
    this._latest.set(channel, ticket);
    const isLatest = () => this._latest.get(channel) === ticket && !this._isDisposed;
    this._pending++;
    this.emit();
    try {
      const value = await request();
      if (!isLatest()) {
        return false;
      }
      options.apply(value);
      if (channel === LOAD) {
        this._error = null;
      }
      return true;
    } catch (error) {
      if (isLatest()) {
        if (options.fail) {
          options.fail(error);
        } else {
          this._error = options.what ? `${options.what}: ${describeError(error)}` : describeError(error);
        }
      }
      return false;
    } finally {
      this._pending--;
      if (channel === LOAD) {
        this._loaded = true;
      }
      this.emit();
    }
  }

  /** Run an action (a change asked of the server) with `busy` set. */
  protected async act<T>(action: () => Promise<T>): Promise<T> {
    this._busy = true;
    this.emit();
    try {
      return await action();
    } finally {
      this._busy = false;
      this.emit();
    }
  }

  private _onEvent(_: EventStream, event: WorkbenchEvent): void {
    if (!this._busy && this.shouldReload(event)) {
      this.reload();
    }
  }

  private _events: EventStream | null;
  private _debounceMs: number;
  private _reloadTimer = 0;
  private _pending = 0;
  private _latest = new Map<string, number>();
  private _loaded = false;
  private _busy = false;
  private _error: string | null = null;
  private _isDisposed = false;
}

export namespace BaseModel {
  export interface IOptions {
    /** The lifecycle event stream; `shouldReload` picks the events that matter. */
    events?: EventStream | null;
    /** Quiet period of `reload()` in ms. */
    debounceMs?: number;
  }

  export interface IFetch<T> {
    /** Store the reply (called only for the latest request of the channel). */
    apply: (value: T) => void;
    /** Requests of one channel supersede each other; `load` (the default) also sets `loaded`. */
    channel?: string;
    /** Prefix of `error` on failure, e.g. "Cannot list training jobs". */
    what?: string;
    /** Handle a failure instead of setting `error`. */
    fail?: (error: unknown) => void;
  }
}
