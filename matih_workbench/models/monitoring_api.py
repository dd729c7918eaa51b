"""Monitoring's wire models beyond the drift engine's (``models/monitoring.py``): drift and health of an
endpoint's window, alert rules per model, alerts, and the history of checks."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from matih_workbench.models.monitoring import DataDrift, PredictionDrift
from matih_workbench.models.training import TrainingSpec

MAX_RETRAIN_SOURCE = 200_000


class BaselineInfo(BaseModel):
    """A version's baseline as listed: what it was captured from, its size and features."""

    model: str
    version: int
    source: str = Field(description="'dataframe', or the MLflow dataset it was read from.")
    artifact_uri: str | None = Field(default=None, description="The version's run artifacts holding it.")
    rows: int
    sample_rows: int
    features: dict[str, str] = Field(description="Feature -> 'numeric' or 'categorical'.")
    prediction: str | None = None
    created_at: float


class DriftReport(BaseModel):
    """Drift of a window of an endpoint's inference log (or of a DataFrame) against a version's baseline.
    Features come ordered by ``severity``, the most drifted first."""

    endpoint: str | None = None
    model: str
    version: int
    start: float | None = Field(default=None, description="Window start, seconds since the epoch.")
    end: float | None = None
    requests: int = Field(description="Requests of the window tested (0 for a DataFrame).")
    drift: DataDrift
    prediction: PredictionDrift | None = Field(
        default=None, description="When the baseline and the window both carry predictions."
    )
    severity: dict[str, float] = Field(
        description="Per feature, its score against its threshold on one scale: 1 at the threshold, "
        "above 1 drifted (distance / threshold, or log p-value / log threshold)."
    )
    checked_at: float


class HealthPoint(BaseModel):
    time: float = Field(description="Start of the bucket, seconds since the epoch.")
    requests: int
    errors: int
    error_rate: float
    p95_latency_ms: float | None = None
    prediction_mean: float | None = None


class HealthReport(BaseModel):
    """Error rate, p95 latency and volume of an endpoint's window, from its inference log."""

    endpoint: str
    version: int | None = None
    start: float
    end: float
    requests: int
    errors: int
    error_rate: float
    p95_latency_ms: float | None = None
    p95_slo_ms: float
    previous_requests: int = Field(description="Requests of the window of the same length just before.")
    max_error_rate: float
    min_volume_ratio: float
    breaches: list[str] = Field(description="'error_rate', 'latency', 'volume': the checks that failed.")
    timeline: list[HealthPoint]


class AlertKind(StrEnum):
    DRIFT = "drift"
    PREDICTION_DRIFT = "prediction_drift"
    ERROR_RATE = "error_rate"
    LATENCY = "latency"
    VOLUME = "volume"


class RetrainSpec(BaseModel):
    """What an alert retrains: the source of a ``%%matih train`` cell (it defines ``train_fn(config)``, and
    ``load_data()`` returning fresh training data when the job needs data) and the job's options. The best
    trial's logged model becomes a new version, moved to Staging through the registry's governance."""

    source: str = Field(max_length=MAX_RETRAIN_SOURCE, description="Python defining train_fn(config).")
    training: TrainingSpec
    artifact_path: str = Field(default="model", max_length=250, description="The trials' logged model.")
    on: list[AlertKind] = Field(
        default_factory=lambda: [AlertKind.DRIFT, AlertKind.PREDICTION_DRIFT],
        max_length=5,
        description="The alert kinds that start it.",
    )


class AlertRuleSettings(BaseModel):
    """What a model's checks look at and when they alert; every field has a sane default."""

    enabled: bool = True
    window: str = Field(default="1h", description="Window of each check: 30m, 1h, 1d...", max_length=20)
    features: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Features that matter: any of them drifting alerts. Empty: the dataset rule only.",
    )
    drift_share: float = Field(default=0.5, gt=0, le=1, description="Dataset drift at this drifted share.")
    fdr: bool = Field(default=False, description="Decide on the Benjamini-Hochberg corrected decisions.")
    fdr_level: float = Field(default=0.05, gt=0, lt=1)
    prediction_drift: bool = Field(default=True, description="Alert when the predictions drift.")
    max_error_rate: float = Field(default=0.01, ge=0, le=1)
    p95_slo_ms: float = Field(default=200.0, gt=0, le=600_000)
    min_volume_ratio: float = Field(
        default=0.5, ge=0, le=1, description="Alert when requests fall below this share of the window before."
    )
    min_rows: int = Field(default=100, ge=1, le=10_000_000, description="Smaller windows are not judged.")
    cooldown_s: float = Field(default=3600.0, ge=0, le=30 * 86400, description="Quiet time after an alert.")
    webhook: str | None = Field(default=None, max_length=2000, description="POSTed each alert as JSON.")
    retrain: RetrainSpec | None = Field(default=None, description="Retrain on these alerts (none: never).")


class AlertRule(AlertRuleSettings):
    model: str
    updated_by: str | None = None
    updated_at: float | None = None


class Alert(BaseModel):
    id: int
    endpoint: str
    model: str
    version: int
    kind: AlertKind
    time: float
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    event_id: int | None = None
    webhook: str | None = Field(default=None, description="The webhook's answer: 'HTTP 200', or the error.")


class AlertList(BaseModel):
    alerts: list[Alert]


class CheckOutcome(BaseModel):
    """One check of one endpoint: what it found and the alerts it raised (none while cooling down)."""

    endpoint: str
    model: str
    version: int
    checked_at: float
    rows: int
    skipped: str | None = Field(default=None, description="Why nothing was judged (no rule, few rows...).")
    breaches: list[AlertKind] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list)
    retrain_job: str | None = Field(default=None, description="The retraining job these alerts started.")


class CheckPoint(BaseModel):
    """One past check, for the charts over time."""

    time: float
    version: int
    rows: int
    drifted_features: int
    dataset_drift: bool
    prediction_drifted: bool | None = None
    severity: dict[str, float] = Field(default_factory=dict)
    error_rate: float | None = None
    p95_latency_ms: float | None = None


class MonitoredEndpoint(BaseModel):
    endpoint: str
    model: str
    versions: list[int]
    main_version: int | None = Field(default=None, description="The live version with the most traffic.")
    last_check: CheckPoint | None = None
    alerts: int = Field(default=0, description="Alerts raised so far.")


class MonitoredEndpointList(BaseModel):
    endpoints: list[MonitoredEndpoint]


class CheckHistory(BaseModel):
    endpoint: str
    points: list[CheckPoint]
