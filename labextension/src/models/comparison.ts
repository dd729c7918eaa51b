import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError, RunComparison, WorkbenchClient } from '../api';

/** State of one comparison view: the server's comparison of a fixed set of runs, and view options. */
export class ComparisonModel implements IDisposable {
  constructor(options: ComparisonModel.IOptions) {
    this._client = options.client;
    this.runIds = [...options.runIds];
  }

  readonly runIds: readonly string[];

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get comparison(): RunComparison | null {
    return this._comparison;
  }
  get error(): string | null {
    return this._error;
  }
  get loading(): boolean {
    return this._loading;
  }
  /** Show only the params whose values differ between runs. */
  get onlyDifferences(): boolean {
    return this._onlyDifferences;
  }
  set onlyDifferences(value: boolean) {
    this._onlyDifferences = value;
    this._emit();
  }
  /** The metric the parallel-coordinates chart is drawn against (and colored by). */
  get colorMetric(): string | null {
    const keys = this._comparison?.metrics.map(m => m.key) ?? [];
    return this._colorMetric !== null && keys.includes(this._colorMetric)
      ? this._colorMetric
      : (keys[0] ?? null);
  }
  set colorMetric(value: string | null) {
    this._colorMetric = value;
    this._emit();
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async load(): Promise<void> {
    this._loading = true;
    this._emit();
    try {
      this._comparison = await this._client.compare(this.runIds);
      this._error = null;
    } catch (error) {
      this._error = describeError(error);
    } finally {
      this._loading = false;
      this._emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _client: WorkbenchClient;
  private _comparison: RunComparison | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _onlyDifferences = false;
  private _colorMetric: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace ComparisonModel {
  export interface IOptions {
    client: WorkbenchClient;
    runIds: readonly string[];
  }
}
