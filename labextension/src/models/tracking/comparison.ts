import { ISignal } from '@lumino/signaling';

import { RunComparison, WorkbenchClient } from '../../api';
import { BaseModel } from '../base';

/** State of one comparison view: the server's comparison of a fixed set of runs, and view options. */
export class ComparisonModel extends BaseModel {
  constructor(options: ComparisonModel.IOptions) {
    super();
    this._client = options.client;
    this.runIds = [...options.runIds];
  }

  readonly runIds: readonly string[];

  get comparisonChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  get comparison(): RunComparison | null {
    return this._comparison;
  }
  /** Show only the params whose values differ between runs. */
  get onlyDifferences(): boolean {
    return this._onlyDifferences;
  }
  set onlyDifferences(value: boolean) {
    this._onlyDifferences = value;
    this.emit();
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
    this.emit();
  }

  async load(): Promise<void> {
    await this.fetch(() => this._client.compare(this.runIds), {
      apply: comparison => (this._comparison = comparison)
    });
  }

  private _client: WorkbenchClient;
  private _comparison: RunComparison | null = null;
  private _onlyDifferences = false;
  private _colorMetric: string | null = null;
}

export namespace ComparisonModel {
  export interface IOptions {
    client: WorkbenchClient;
    runIds: readonly string[];
  }
}
