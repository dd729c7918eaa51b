"""Wire contract for experiment tracking and run comparison."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

MetricMode = Literal["max", "min"]


class Experiment(BaseModel):
    experiment_id: str
    name: str
    lifecycle_stage: str
    artifact_location: str | None = None
    creation_time: int | None = None
    last_update_time: int | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    run_count: int | None = Field(None, description="Active runs in the experiment, when known.")


class ExperimentList(BaseModel):
    experiments: list[Experiment]


class ExperimentKeys(BaseModel):
    """The param, metric and tag names used by the runs of an experiment (table columns)."""

    experiment_id: str
    param_keys: list[str]
    metric_keys: list[str]
    tag_keys: list[str]


class RunSummary(BaseModel):
    run_id: str
    run_name: str
    experiment_id: str
    status: str
    lifecycle_stage: str = "active"
    start_time: int | None = None
    end_time: int | None = None
    user: str | None = None
    artifact_uri: str | None = None
    params: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, float | None] = Field(
        default_factory=dict, description="Latest value per metric; null stands for NaN."
    )
    tags: dict[str, str] = Field(default_factory=dict)
    mlflow_url: str | None = Field(
        None, description="Page of the run in the MLflow UI, when one is configured."
    )


class RunPage(BaseModel):
    runs: list[RunSummary]
    next_page_token: str | None = None
    total: int | None = Field(
        description="Runs matching the filter over all pages; null when the store cannot count cheaply."
    )


class ArtifactEntry(BaseModel):
    path: str
    is_dir: bool
    file_size: int | None = None


class RunDetail(RunSummary):
    artifacts: list[ArtifactEntry] = Field(default_factory=list)


class MetricPoint(BaseModel):
    step: int
    value: float | None
    timestamp: int


class MetricHistory(BaseModel):
    run_id: str
    key: str
    points: list[MetricPoint]


class AlignedMetric(BaseModel):
    """One metric over several runs, aligned on a shared step axis (null where a run has no point)."""

    key: str
    steps: list[int]
    series: dict[str, list[float | None]]


class ParamRow(BaseModel):
    key: str
    values: dict[str, str | None]
    differs: bool


class MetricSummary(BaseModel):
    key: str
    mode: MetricMode
    values: dict[str, float | None]
    best_run_id: str | None = None


class RunComparison(BaseModel):
    runs: list[RunSummary]
    params: list[ParamRow]
    metrics: list[MetricSummary]
    histories: list[AlignedMetric]


class ComparisonRequest(BaseModel):
    """Body of ``POST /comparisons``, for run lists too long for a URL."""

    run_ids: list[str] = Field(min_length=2)
    modes: dict[str, MetricMode] = Field(default_factory=dict)


class BestRun(BaseModel):
    metric: str
    mode: MetricMode
    value: float
    run: RunSummary
