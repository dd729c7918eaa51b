import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { API_NAMESPACE, queryString } from './request';
import type { WorkbenchEvent } from './types.gen';

export type StreamStatus = 'connecting' | 'open' | 'closed';

/**
 * The lifecycle event stream (`WS matih/api/v1/events/stream`): one JSON event per message.
 *
 * Reconnects with exponential backoff and resumes after the last event seen (`after=<id>`), so no event is
 * missed across a server restart or a network blip.
 */
export class EventStream implements IDisposable {
  constructor(options: EventStream.IOptions = {}) {
    this._settings = options.serverSettings ?? ServerConnection.makeSettings();
    this._minDelay = options.minDelay ?? 1000;
    this._maxDelay = options.maxDelay ?? 30000;
    this._delay = this._minDelay;
  }

  /** Emitted for every event received, in order. */
  get received(): ISignal<this, WorkbenchEvent> {
    return this._received;
  }

  get statusChanged(): ISignal<this, StreamStatus> {
    return this._statusChanged;
  }

  get status(): StreamStatus {
    return this._status;
  }

  /** Id of the last event received; the stream resumes after it. */
  get lastId(): number | null {
    return this._lastId;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Open the stream (idempotent). */
  connect(): void {
    if (this._isDisposed || this._socket) {
      return;
    }
    this._clearTimers();
    this._setStatus('connecting');
    const socket = new this._settings.WebSocket(this._url());
    this._socket = socket;
    socket.onopen = () => {
      this._delay = this._minDelay;
      this._setStatus('open');
      this._ping = window.setInterval(() => socket.send('ping'), 30000);
    };
    socket.onmessage = message => this._onMessage(message);
    socket.onclose = () => this._onClose(socket);
    socket.onerror = () => socket.close();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._clearTimers();
    const socket = this._socket;
    this._socket = null;
    socket?.close();
    this._status = 'closed';
    Signal.clearData(this);
  }

  private _url(): string {
    const settings = this._settings;
    const query: Record<string, string | null> = {
      after: this._lastId === null ? null : String(this._lastId)
    };
    if (settings.token && settings.appendToken) {
      query.token = settings.token;
    }
    return URLExt.join(settings.wsUrl, API_NAMESPACE, 'events', 'stream') + queryString(query);
  }

  private _onMessage(message: MessageEvent): void {
    let event: WorkbenchEvent;
    try {
      event = JSON.parse(String(message.data)) as WorkbenchEvent;
    } catch {
      return;
    }
    if (typeof event.id !== 'number' || typeof event.type !== 'string') {
      return; // pong or anything that is not an event
    }
    if (this._lastId !== null && event.id <= this._lastId) {
      return; // already seen (resumed stream)
    }
    this._lastId = event.id;
    this._received.emit(event);
  }

  private _onClose(socket: WebSocket): void {
    if (socket !== this._socket) {
      return;
    }
    this._socket = null;
    this._clearTimers();
    if (this._isDisposed) {
      return;
    }
    this._setStatus('closed');
    const jitter = Math.random() * 0.3 * this._delay;
    this._retry = window.setTimeout(() => this.connect(), this._delay + jitter);
    this._delay = Math.min(this._delay * 2, this._maxDelay);
  }

  private _clearTimers(): void {
    window.clearTimeout(this._retry);
    window.clearInterval(this._ping);
  }

  private _setStatus(status: StreamStatus): void {
    if (status !== this._status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private _settings: ServerConnection.ISettings;
  private _minDelay: number;
  private _maxDelay: number;
  private _delay: number;
  private _socket: WebSocket | null = null;
  private _lastId: number | null = null;
  private _retry = 0;
  private _ping = 0;
  private _status: StreamStatus = 'closed';
  private _isDisposed = false;
  private _received = new Signal<this, WorkbenchEvent>(this);
  private _statusChanged = new Signal<this, StreamStatus>(this);
}

export namespace EventStream {
  export interface IOptions {
    serverSettings?: ServerConnection.ISettings;
    /** First reconnection delay in ms (doubles up to maxDelay). */
    minDelay?: number;
    maxDelay?: number;
  }
}
