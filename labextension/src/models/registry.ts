import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  ApiError,
  CheckResult,
  describeError,
  EventStream,
  GovernanceReport,
  ModelCard,
  ModelDetail,
  ModelStage,
  PromotionRequest,
  RegisteredModelSummary,
  TransitionRecord,
  WorkbenchClient,
  WorkbenchEvent
} from '../api';

const RELOAD_DEBOUNCE_MS = 300;

const REGISTRY_EVENTS = new Set<string>([
  'MODEL_REGISTERED',
  'MODEL_PROMOTION_REQUESTED',
  'MODEL_PROMOTED',
  'MODEL_PROMOTION_REJECTED',
  'MODEL_ARCHIVED'
]);

/** A transition being considered: the checks the server says it would face. */
export interface ITransitionPreview {
  version: number;
  stage: ModelStage;
  report: GovernanceReport | null;
  error: string | null;
}

/** The outcome of the last action, for the user. */
export interface IRegistryMessage {
  kind: 'success' | 'error';
  text: string;
  /** Checks the server sent along with a refusal (`details.checks`). */
  checks?: CheckResult[];
}

/**
 * The model registry as the panel shows it: models, the selected model (versions, history), the selected
 * version (card, a transition preview), and the promotion requests the current user may decide. Every rule
 * (allowed transitions, checks, who approves) is the server's; this holds what it answered.
 */
export class RegistryModel implements IDisposable {
  constructor(options: RegistryModel.IOptions) {
    this._client = options.client;
    this._events = options.events;
    this._events?.received.connect(this._onEvent, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get models(): readonly RegisteredModelSummary[] {
    return this._models;
  }
  get loaded(): boolean {
    return this._loaded;
  }
  get error(): string | null {
    return this._error;
  }
  get selectedName(): string | null {
    return this._selected;
  }
  get detail(): ModelDetail | null {
    return this._detail;
  }
  get history(): readonly TransitionRecord[] {
    return this._history;
  }
  /** Pending promotion requests the current user may approve or reject. */
  get approvals(): readonly PromotionRequest[] {
    return this._approvals;
  }
  get selectedVersion(): number | null {
    return this._version;
  }
  get card(): ModelCard | null {
    return this._card;
  }
  get cardError(): string | null {
    return this._cardError;
  }
  get preview(): ITransitionPreview | null {
    return this._preview;
  }
  get message(): IRegistryMessage | null {
    return this._message;
  }
  /** An action (transition, decision) is in flight. */
  get busy(): boolean {
    return this._busy;
  }
  get loading(): boolean {
    return this._pending > 0;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The models and the approvals waiting for the current user; the open model again. */
  async load(): Promise<void> {
    await this._track(async () => {
      const [models, approvals] = await Promise.all([
        this._client.models(),
        this._client.promotions({ actionable: true })
      ]);
      this._models = models;
      this._approvals = approvals.requests;
      this._error = null;
      if (this._selected !== null) {
        await this._loadModel(this._selected);
      }
    }, 'Cannot load the model registry');
    this._loaded = true;
    this._emit();
  }

  async select(name: string): Promise<void> {
    if (name === this._selected) {
      return;
    }
    this._selected = name;
    this._detail = null;
    this._history = [];
    this._version = null;
    this._card = null;
    this._preview = null;
    this._message = null;
    this._emit();
    await this._track(() => this._loadModel(name), `Cannot load model '${name}'`);
  }

  async selectVersion(version: number): Promise<void> {
    if (this._selected === null) {
      return;
    }
    const name = this._selected;
    this._version = version;
    this._card = null;
    this._cardError = null;
    this._preview = null;
    this._emit();
    try {
      const card = await this._client.card(name, version);
      if (this._selected === name && this._version === version) {
        this._card = card;
      }
    } catch (error) {
      this._cardError = `No model card: ${describeError(error)}`;
    }
    this._emit();
  }

  /** Download links of the selected version's card. */
  cardUrl(format: 'markdown' | 'html'): string | null {
    if (this._selected === null || this._version === null) {
      return null;
    }
    return this._client.cardDownloadUrl(this._selected, this._version, format);
  }

  /** Ask the server what moving the selected version to `stage` would face (nothing changes yet). */
  async previewTransition(stage: ModelStage): Promise<void> {
    const name = this._selected;
    const version = this._version;
    if (name === null || version === null) {
      return;
    }
    this._preview = { version, stage, report: null, error: null };
    this._message = null;
    this._emit();
    try {
      const report = await this._client.checks(name, version, stage);
      this._preview = { version, stage, report, error: null };
    } catch (error) {
      this._preview = { version, stage, report: null, error: describeError(error) };
    }
    this._emit();
  }

  cancelPreview(): void {
    this._preview = null;
    this._emit();
  }

  /** Apply the previewed transition with a reason. */
  async confirmTransition(reason: string): Promise<void> {
    const preview = this._preview;
    const name = this._selected;
    if (preview === null || name === null) {
      return;
    }
    await this._act(async () => {
      const result = await this._client.transition(name, preview.version, preview.stage, reason || null);
      this._preview = null;
      const archived = result.archived?.length ? `; archived v${result.archived.join(', v')}` : '';
      return result.status === 'pending_approval'
        ? `Version ${preview.version}: promotion to ${preview.stage} requested, waiting for approval`
        : `Version ${preview.version} is now ${result.version.stage}${archived}`;
    });
  }

  async decide(request: PromotionRequest, decision: 'approve' | 'reject', comment: string): Promise<void> {
    await this._act(async () => {
      const result = await this._client.decide(request.id, decision, comment);
      const verb = decision === 'approve' ? 'approved' : 'rejected';
      const now = result.transition ? `: now ${result.transition.version.stage}` : '';
      return `${request.model} v${request.version}: promotion to ${request.target_stage} ${verb}${now}`;
    });
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

  private async _loadModel(name: string): Promise<void> {
    const [detail, history] = await Promise.all([this._client.model(name), this._client.modelHistory(name)]);
    if (this._selected !== name) {
      return;
    }
    this._detail = detail;
    this._history = history.history;
    const versions = detail.versions ?? [];
    if (this._version === null && versions.length > 0) {
      void this.selectVersion(Math.max(...versions.map(v => v.version)));
    }
  }

  /** Run an action, report its outcome, then reload what it changed. */
  private async _act(action: () => Promise<string>): Promise<void> {
    this._busy = true;
    this._message = null;
    this._emit();
    try {
      this._message = { kind: 'success', text: await action() };
    } catch (error) {
      this._message = { kind: 'error', text: describeError(error), checks: checksOf(error) };
    } finally {
      this._busy = false;
    }
    await this.load();
    if (this._version !== null) {
      await this.selectVersion(this._version);
    }
  }

  private async _track(work: () => Promise<void>, what: string): Promise<void> {
    this._pending++;
    this._emit();
    try {
      await work();
    } catch (error) {
      this._error = `${what}: ${describeError(error)}`;
    } finally {
      this._pending--;
      this._emit();
    }
  }

  private _onEvent(_: EventStream, event: WorkbenchEvent): void {
    if (REGISTRY_EVENTS.has(event.type) && !this._busy) {
      window.clearTimeout(this._reloadTimer);
      this._reloadTimer = window.setTimeout(() => void this.load(), RELOAD_DEBOUNCE_MS);
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _client: WorkbenchClient;
  private _events: EventStream | null;
  private _models: RegisteredModelSummary[] = [];
  private _approvals: PromotionRequest[] = [];
  private _selected: string | null = null;
  private _detail: ModelDetail | null = null;
  private _history: TransitionRecord[] = [];
  private _version: number | null = null;
  private _card: ModelCard | null = null;
  private _cardError: string | null = null;
  private _preview: ITransitionPreview | null = null;
  private _message: IRegistryMessage | null = null;
  private _loaded = false;
  private _busy = false;
  private _pending = 0;
  private _error: string | null = null;
  private _reloadTimer = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace RegistryModel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
  }
}

/** The checks a refusal carried in `details.checks`, if any. */
function checksOf(error: unknown): CheckResult[] | undefined {
  const checks = error instanceof ApiError ? error.details?.['checks'] : undefined;
  return Array.isArray(checks) ? (checks as CheckResult[]) : undefined;
}
