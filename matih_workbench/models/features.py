"""Feature store: views with their freshness and statistics, materialization jobs, online/offline checks,
sample rows, and the lineage of a training set built from a feature service."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

Scalar = float | int | str | bool | None


class FeatureStats(BaseModel):
    """One feature of a view, over every row of its offline source."""

    name: str
    dtype: str
    description: str = ""
    null_rate: float | None = Field(default=None, description="Share of null values; None without rows.")
    min: Scalar = None
    max: Scalar = None


class FeatureViewInfo(BaseModel):
    name: str
    entities: list[str]
    join_keys: list[str]
    features: list[FeatureStats]
    ttl_seconds: float | None = Field(description="How far back a value stays valid; None: forever.")
    online: bool
    source: str
    definition_hash: str
    description: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    row_count: int
    entity_count: int
    first_event: float | None = Field(default=None, description="Oldest event timestamp, epoch seconds.")
    last_event: float | None = Field(default=None, description="Newest event timestamp, epoch seconds.")
    last_materialized: float | None = Field(
        default=None, description="End of the latest materialization into the online store, epoch seconds."
    )
    staleness_seconds: float | None = Field(
        default=None, description="Seconds since that end; None if never materialized."
    )
    stale: bool = Field(description="Never materialized, or materialized longer ago than the TTL.")
    services: list[str] = Field(default_factory=list, description="Feature services reading this view.")


class EntityInfo(BaseModel):
    name: str
    join_keys: list[str]
    value_type: str
    description: str = ""


class ServiceView(BaseModel):
    view: str
    features: list[str]


class FeatureServiceInfo(BaseModel):
    name: str
    description: str = ""
    definition_hash: str
    views: list[ServiceView]


class FeatureStoreOverview(BaseModel):
    """What ``%matih features`` and the Features tab show."""

    project: str
    repo_path: str
    online_store: str
    registry: str
    views: list[FeatureViewInfo]
    entities: list[EntityInfo]
    services: list[FeatureServiceInfo]
    checked_at: float


class MaterializeRequest(BaseModel):
    views: list[str] | None = Field(default=None, description="Feature views; default: every online view.")
    end: datetime | None = Field(default=None, description="Materialize up to here; default: now (UTC).")


class MaterializedInterval(BaseModel):
    view: str
    start: float
    end: float


MaterializationStatus = Literal["RUNNING", "SUCCEEDED", "FAILED"]


class MaterializationJob(BaseModel):
    """An incremental materialization, run in the background view by view."""

    id: str
    status: MaterializationStatus
    views: list[str]
    end: float
    user: str
    started_at: float
    finished_at: float | None = None
    current: str | None = Field(default=None, description="The view being materialized.")
    done: list[MaterializedInterval] = Field(default_factory=list)
    error: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> float:
        """Share of the views done, 0..1."""
        return len(self.done) / len(self.views) if self.views else 1.0


class FeatureSample(BaseModel):
    """The newest rows of a view's offline source."""

    view: str
    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int


class ConsistencyMismatch(BaseModel):
    entity: dict[str, Scalar]
    feature: str
    online: Scalar
    offline: Scalar


class ViewConsistency(BaseModel):
    """Online values against the offline values as of the view's last materialization, for a sample."""

    view: str
    as_of: float | None
    entities: int
    compared: int
    mismatches: list[ConsistencyMismatch] = Field(default_factory=list)
    skipped: str | None = Field(default=None, description="Why the view was not checked.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def consistent(self) -> bool:
        return not self.mismatches


class ConsistencyReport(BaseModel):
    checked_at: float
    views: list[ViewConsistency]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def consistent(self) -> bool:
        return all(v.consistent for v in self.views)


class FeatureViewLineage(BaseModel):
    name: str
    definition_hash: str
    features: list[str]
    ttl_seconds: float | None
    ttl_nulls: int = Field(description="Training rows that got no value of this view within its TTL.")


class TrainingSetLineage(BaseModel):
    """Where a training set's features came from; logged on the MLflow run that trains on it."""

    project: str
    feature_service: str
    service_hash: str
    views: list[FeatureViewLineage]
    join_keys: list[str]
    timestamp_column: str
    entity_rows: int
    entity_digest: str = Field(description="SHA-256 of the entity DataFrame's keys and timestamps.")
    entity_start: float
    entity_end: float
    feature_columns: list[str] = Field(description="Feature columns in the order the model reads them.")
    feature_dtypes: dict[str, str]
    null_counts: dict[str, int] = Field(description="Nulls per feature column, reported, never filled.")

    def params(self) -> dict[str, str]:
        """MLflow run params: what a serving replica needs to ask for the same features."""
        return {
            "features.service": self.feature_service,
            "features.service_hash": self.service_hash,
            "features.project": self.project,
            "features.columns": json.dumps(self.feature_columns),
            "features.dtypes": json.dumps(self.feature_dtypes),
            "features.join_keys": json.dumps(self.join_keys),
            "features.entity_digest": self.entity_digest,
            "features.entity_rows": str(self.entity_rows),
            "features.entity_start": datetime.fromtimestamp(self.entity_start, UTC).isoformat(),
            "features.entity_end": datetime.fromtimestamp(self.entity_end, UTC).isoformat(),
        }

    def tags(self) -> dict[str, str]:
        """MLflow run tags: one per feature view with its definition hash, searchable from a view."""
        tags = {
            "matih.features.service": self.feature_service,
            "matih.features.views": ",".join(v.name for v in self.views),
            "matih.features.ttl_nulls": json.dumps({v.name: v.ttl_nulls for v in self.views}),
        }
        tags.update({f"matih.feature_view.{v.name}": v.definition_hash for v in self.views})
        return tags


class ServingFeatures(BaseModel):
    """What a deployment needs to fetch a model's features online, read back from its training run."""

    feature_service: str
    columns: list[str]
    dtypes: dict[str, str]
    join_keys: list[str]

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ServingFeatures | None:
        """From the run params of ``TrainingSetLineage.params()``; None for a run without features."""
        if "features.service" not in params:
            return None
        return cls(
            feature_service=params["features.service"],
            columns=json.loads(params["features.columns"]),
            dtypes=json.loads(params["features.dtypes"]),
            join_keys=json.loads(params.get("features.join_keys", "[]")),
        )
