import { ISignal } from '@lumino/signaling';

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
import { BaseModel } from './base';

const REGISTRY_EVENTS = new Set<string>([
  'MODEL_REGISTERED',
  'MODEL_PROMOTION_REQUESTED',
  'MODEL_PROMOTED',
  'MODEL_PROMOTION_REJECTED',
  'MODEL_ARCHIVED',
  'MODEL_CARD_EDITED'
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
export class RegistryModel extends BaseModel {
  constructor(options: RegistryModel.IOptions) {
    super({ events: options.events });
    this._client = options.client;
  }

  get registryChanged(): ISignal<this, void> {
    return this.stateChanged;
  }
  get models(): readonly RegisteredModelSummary[] {
    return this._models;
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

  /** The models and the approvals waiting for the current user; the open model again. */
  async load(): Promise<void> {
    const what = 'Cannot load the model registry';
    const applied = await this.fetch(
      () => Promise.all([this._client.models(), this._client.promotions({ actionable: true })]),
      {
        apply: ([models, approvals]) => {
          this._models = models;
          this._approvals = approvals.requests;
        },
        what
      }
    );
    if (applied && this._selected !== null) {
      await this._loadModel(this._selected, what);
    }
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
    this.emit();
    await this._loadModel(name, `Cannot load model '${name}'`);
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
    this.emit();
    await this.fetch(() => this._client.card(name, version), {
      channel: 'card',
      apply: card => {
        if (this._selected === name && this._version === version) {
          this._card = card;
        }
      },
      fail: error => (this._cardError = `No model card: ${describeError(error)}`)
    });
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
    const preview: ITransitionPreview = { version, stage, report: null, error: null };
    this._preview = preview;
    this._message = null;
    this.emit();
    const update = (change: Partial<ITransitionPreview>) => {
      if (this._preview === preview) {
        this._preview = { ...preview, ...change }; // unless cancelled or replaced meanwhile
      }
    };
    await this.fetch(() => this._client.checks(name, version, stage), {
      channel: 'preview',
      apply: report => update({ report }),
      fail: error => update({ error: describeError(error) })
    });
  }

  cancelPreview(): void {
    this._preview = null;
    this.emit();
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

  protected override shouldReload(event: WorkbenchEvent): boolean {
    return REGISTRY_EVENTS.has(event.type);
  }

  /** A model's detail and history; selects its newest version when none is. */
  private async _loadModel(name: string, what: string): Promise<void> {
    await this.fetch(() => Promise.all([this._client.model(name), this._client.modelHistory(name)]), {
      channel: 'model',
      apply: ([detail, history]) => {
        if (this._selected !== name) {
          return;
        }
        this._detail = detail;
        this._history = history.history;
        const versions = detail.versions ?? [];
        if (this._version === null && versions.length > 0) {
          void this.selectVersion(Math.max(...versions.map(v => v.version)));
        }
      },
      what
    });
  }

  /** Run an action, report its outcome, then reload what it changed. */
  private async _act(action: () => Promise<string>): Promise<void> {
    this._message = null;
    await this.act(async () => {
      try {
        this._message = { kind: 'success', text: await action() };
      } catch (error) {
        this._message = { kind: 'error', text: describeError(error), checks: checksOf(error) };
      }
    });
    await this.load();
    if (this._version !== null) {
      await this.selectVersion(this._version);
    }
  }

  private _client: WorkbenchClient;
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
