"""Wire contract for the model registry: stages, governed promotion, model cards and lineage."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from matih_workbench.models.common import FreeText, Name


class ModelStage(StrEnum):
    """Lifecycle stage of a model version, kept as the version tag ``matih.stage`` plus aliases."""

    DEVELOPMENT = "Development"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"


ThresholdOp = Literal[">=", ">", "<=", "<", "==", "not_worse_than_production_by"]
RequestStatus = Literal["pending", "approved", "rejected"]


class Threshold(BaseModel):
    """One baseline check, e.g. ``auc >= 0.85`` or ``auc not_worse_than_production_by 0.02``."""

    metric: str
    op: ThresholdOp
    value: float
    expression: str = Field(description="The rule as written, normalized.")


class CheckResult(BaseModel):
    metric: str
    op: ThresholdOp
    threshold: float
    value: float | None = Field(description="The candidate run's metric; null when it was not logged.")
    baseline: float | None = Field(
        default=None, description="The current Production value, for relative checks."
    )
    passed: bool
    blocking: bool = Field(default=True, description="False for checks reported as evidence only (rollback).")
    message: str


class ModelVersionInfo(BaseModel):
    name: str
    version: int
    stage: ModelStage
    run_id: str | None = None
    source: str
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    created_at: int | None = Field(default=None, description="Milliseconds since the epoch.")
    registered_by: str | None = None
    stage_changed_by: str | None = None
    stage_changed_at: float | None = Field(default=None, description="Seconds since the epoch.")
    pending_request_id: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class RegisteredModelSummary(BaseModel):
    name: str
    description: str | None = None
    owners: list[str] = Field(default_factory=list)
    production_version: int | None = None
    staging_version: int | None = None
    latest_version: int | None = None
    created_at: int | None = None
    updated_at: int | None = None


class ModelList(BaseModel):
    models: list[RegisteredModelSummary]


class ModelDetail(RegisteredModelSummary):
    can_approve: bool = Field(default=False, description="Whether the current user is an owner or a lead.")
    thresholds: list[Threshold] = Field(default_factory=list)
    versions: list[ModelVersionInfo] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class RegisterRequest(BaseModel):
    """Body of ``POST /models``: register a run's model as a new version (stage Development)."""

    run_id: str = Field(
        min_length=1, max_length=1000, description="A run id, or a runs:/RUN_ID/PATH or models:/ID URI."
    )
    name: str = Field(min_length=1, max_length=250)
    artifact_path: Name = Field(default="model", description="Name of the logged model inside the run.")
    description: FreeText | None = None
    owners: list[Name] = Field(
        default_factory=list, max_length=100, description="Model owners; default: the registrant."
    )


class ThresholdsUpdate(BaseModel):
    """Body of ``PUT /models/{name}/thresholds``: the full list of rules, as text."""

    thresholds: list[Name] = Field(max_length=100, description="e.g. ['auc >= 0.85', 'latency_ms <= 20'].")


class TransitionRequest(BaseModel):
    """Body of ``POST /models/{name}/versions/{version}/transitions``."""

    stage: ModelStage
    reason: FreeText | None = None


class Decision(BaseModel):
    """Body of ``POST /promotions/{id}/decision``."""

    decision: Literal["approve", "reject"]
    comment: FreeText = ""


class MetricDelta(BaseModel):
    metric: str
    value: float | None
    production_value: float | None
    delta: float | None


class PromotionEvidence(BaseModel):
    checks: list[CheckResult] = Field(default_factory=list)
    production_version: int | None = None
    metric_deltas: list[MetricDelta] = Field(default_factory=list)
    card: ModelCard | None = None


class PromotionRequest(BaseModel):
    id: str
    model: str
    version: int
    from_stage: ModelStage
    target_stage: ModelStage
    requested_by: str
    requested_at: float
    reason: str | None = None
    status: RequestStatus
    evidence: PromotionEvidence
    decided_by: str | None = None
    decided_at: float | None = None
    comment: str | None = None
    decision_checks: list[CheckResult] = Field(
        default_factory=list, description="The checks an approval passed, with the values it saw."
    )
    can_decide: bool = Field(default=False, description="Whether the current user may approve this request.")


class PromotionRequestList(BaseModel):
    requests: list[PromotionRequest]


class ModelThresholds(BaseModel):
    """The baseline rules a version must meet to enter Staging."""

    model: str
    thresholds: list[Threshold]


class GovernanceReport(BaseModel):
    """The checks a version would face for a target stage, shown before a promotion is asked."""

    model: str
    version: int
    stage: ModelStage
    allowed: bool = Field(
        description="The transition exists from the current stage and every blocking check passes."
    )
    approval_required: bool
    problem: str | None = Field(
        default=None, description="Why the transition is not allowed, when it is not."
    )
    checks: list[CheckResult] = Field(default_factory=list)
    production_version: int | None = None
    metric_deltas: list[MetricDelta] = Field(default_factory=list)


class TransitionResult(BaseModel):
    """What a transition did: ``done`` (stage changed) or ``pending_approval`` (a request was filed)."""

    status: Literal["done", "pending_approval"]
    version: ModelVersionInfo
    archived: list[int] = Field(default_factory=list, description="Versions archived by this transition.")
    checks: list[CheckResult] = Field(default_factory=list)
    request: PromotionRequest | None = None


class DecisionResult(BaseModel):
    """The decided request and, when approved, the transition it made."""

    request: PromotionRequest
    transition: TransitionResult | None = None


class FieldChange(BaseModel):
    """One field of a model card edit: what it said, what it says now (null: empty)."""

    old: str | None = None
    new: str | None = None


class TransitionRecord(BaseModel):
    """One entry of a model's history (a lifecycle event)."""

    event_id: int
    type: str
    time: float
    user: str
    model: str
    version: int | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    comment: str | None = None
    request_id: str | None = None
    changes: dict[str, FieldChange] = Field(
        default_factory=dict, description="What a card edit (MODEL_CARD_EDITED) changed, field by field."
    )


class ModelHistory(BaseModel):
    model: str
    history: list[TransitionRecord]


class DatasetRef(BaseModel):
    name: str
    digest: str | None = None
    source_type: str | None = None
    source: str | None = None
    context: str | None = Field(default=None, description="training, validation, test...")
    date_range: str | None = None
    run_id: str | None = Field(default=None, description="The run that logged this input.")


class CodeRef(BaseModel):
    git_commit: str | None = None
    git_branch: str | None = None
    source_name: str | None = None
    notebook_path: str | None = None
    parent_run_id: str | None = None


class LineageNode(BaseModel):
    id: str
    kind: Literal["dataset", "feature_view", "run", "model_version", "deployment", "code", "alert"]
    label: str


class LineageEdge(BaseModel):
    source: str
    target: str
    relation: str


class FeatureViewRef(BaseModel):
    """A Feast feature view a version was trained on (``%%matih train --features``), as defined then."""

    name: str
    definition_hash: str
    feature_service: str | None = None
    run_id: str = Field(description="The run that recorded the training set's lineage.")


class RetrainTrigger(BaseModel):
    """The monitoring alert whose retraining made a version, and the training job that did."""

    alert_id: int
    kind: str
    endpoint: str
    from_version: int
    message: str
    time: float
    job_id: str | None = None
    parent_run_id: str | None = None


class VersionLineage(BaseModel):
    """What data and code made a version, and where it went."""

    model: str
    version: int
    run_id: str | None
    datasets: list[DatasetRef] = Field(default_factory=list)
    feature_views: list[FeatureViewRef] = Field(default_factory=list)
    code: CodeRef = Field(default_factory=CodeRef)
    trigger: RetrainTrigger | None = Field(default=None, description="The alert it was retrained for.")
    deployments: list[TransitionRecord] = Field(default_factory=list)
    nodes: list[LineageNode] = Field(default_factory=list)
    edges: list[LineageEdge] = Field(default_factory=list)


class VersionRef(BaseModel):
    name: str
    version: int
    stage: ModelStage
    run_id: str | None = None
    dataset_digest: str | None = None


class DatasetLineage(BaseModel):
    """Which versions came from a dataset (by name, optionally one digest), or from a Feast feature view
    (``kind`` feature_view: each version's ``dataset_digest`` is the view's definition hash it trained on)."""

    kind: Literal["dataset", "feature_view"] = "dataset"
    dataset: str
    digest: str | None = None
    versions: list[VersionRef]


class CardMetric(BaseModel):
    name: str
    value: float | None = Field(default=None, description="Value logged on the run.")
    holdout_value: float | None = Field(
        default=None, description="Value recomputed on the holdout predictions."
    )
    ci_low: float | None = None
    ci_high: float | None = None


class GroupMetrics(BaseModel):
    group: str
    n: int
    positive_rate: float | None = None
    true_positive_rate: float | None = None
    false_positive_rate: float | None = None
    accuracy: float | None = None
    auc: float | None = None


class FairnessReport(BaseModel):
    protected_attribute: str
    groups: list[GroupMetrics]
    demographic_parity_difference: float | None = None
    equalized_odds_difference: float | None = None


class ModelCard(BaseModel):
    name: str
    version: int
    stage: ModelStage
    run_id: str | None = None
    description: str | None = None
    intended_use: str | None = None
    limitations: str | None = None
    drift_sensitivity: str | None = None
    training_data: list[DatasetRef] = Field(default_factory=list)
    primary_metric: CardMetric | None = None
    secondary_metrics: list[CardMetric] = Field(default_factory=list)
    holdout_source: str | None = Field(default=None, description="Where the holdout predictions came from.")
    holdout_rows: int | None = None
    ci_level: float = 0.95
    bootstrap_samples: int = 1000
    ci_method: str = "percentile bootstrap over holdout rows (numpy default_rng, seeded)"
    fairness: FairnessReport | None = None
    evidence_metrics: dict[str, float] = Field(
        default_factory=dict,
        description="The run's metrics as recorded at registration: what governance checks read.",
    )
    evidence_recorded_at: float | None = Field(default=None, description="Seconds since the epoch.")
    problems: list[str] = Field(
        default_factory=list,
        description="What could not be built from the stored values (e.g. a holdout without that column).",
    )
    history: list[TransitionRecord] = Field(default_factory=list)
    lineage: VersionLineage | None = None


class ModelCardUpdate(BaseModel):
    """Body of ``PATCH .../versions/{version}/card``: editable fields; null leaves one unchanged."""

    description: FreeText | None = None
    intended_use: FreeText | None = None
    limitations: FreeText | None = None
    drift_sensitivity: FreeText | None = None
    primary_metric: Name | None = None
    protected_attribute: Name | None = None


PromotionEvidence.model_rebuild()
DecisionResult.model_rebuild()
