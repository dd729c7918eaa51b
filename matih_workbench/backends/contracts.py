"""The roles a backend plays, as ``typing.Protocol``s, and the records they hand to the services.

A role with several implementations is chosen from config by ``backends.__init__`` (keyed by URI scheme
or name, as MLflow's store registries are), never by if-chains in services. Imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from matih_workbench.models.serving import EndpointSpec


@dataclass
class ExperimentRecord:
    experiment_id: str
    name: str
    lifecycle_stage: str
    artifact_location: str | None
    creation_time: int | None
    last_update_time: int | None
    tags: dict[str, str] = field(default_factory=dict)
    run_count: int | None = None


@dataclass
class RunRecord:
    """One run as read from the tracking store."""

    run_id: str
    run_name: str
    experiment_id: str
    status: str
    lifecycle_stage: str
    start_time: int | None
    end_time: int | None
    user: str | None
    artifact_uri: str | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float | None] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArtifactFile:
    path: str
    is_dir: bool
    file_size: int | None


@dataclass(frozen=True)
class RunKeys:
    """Distinct param, metric and tag keys over the active runs of an experiment, sorted."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


#: ``(step, value or None for NaN, timestamp in ms)``, by ``(run id, metric key)``
MetricHistories = dict[tuple[str, str], list[tuple[int, float | None, int]]]


class TrackingBackend(Protocol):
    """What the services read from experiment tracking (MLflow: ``backends.mlflow.MlflowTracking``)."""

    @property
    def fast_listing(self) -> bool: ...

    def experiments(self, view: str = "active") -> list[ExperimentRecord]: ...

    def experiment(self, experiment_id: str) -> ExperimentRecord: ...

    def require_experiment(self, experiment_id: str) -> None: ...

    def experiment_by_name(self, name: str) -> ExperimentRecord: ...

    def experiment_keys(self, experiment_id: str) -> RunKeys: ...

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        order_by: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RunRecord], int | None]: ...

    def runs(self, run_ids: Sequence[str]) -> list[RunRecord]: ...

    def artifacts(self, run_id: str) -> list[ArtifactFile]: ...

    def metric_histories(
        self, run_ids: Sequence[str], keys: Sequence[str] | None = None
    ) -> MetricHistories: ...

    def fingerprint(self) -> dict[str, tuple[Any, ...]]: ...


class ArtifactStore(Protocol):
    """Where new experiments keep their artifacts and checkpoints (local folder, S3 through boto3)."""

    @property
    def root(self) -> str: ...

    def experiment_location(self) -> str | None:
        """A fresh artifact location for a new experiment; None leaves it to the tracking server."""
        ...


class ModelServer(Protocol):
    """Runs endpoints (an ``EndpointSpec``: versions, split, shadow) behind HTTP. Ray Serve is the first
    implementation (``backends/ray/serve``); the spec is reconfigured in place, so a new split never drops
    a request."""

    name: str

    def endpoint_url(self, endpoint: str) -> str: ...

    def apply(self, spec: EndpointSpec, timeout: float = 300.0) -> str:
        """Run the spec and wait until the endpoint serves it; returns the endpoint's URL."""
        ...

    def remove(self, endpoint: str, timeout: float = 60.0) -> None: ...

    def statuses(self) -> dict[str, Any]:
        """The server's view of each endpoint (status, message), by name."""
        ...

    def stats(self, endpoint: str, token: str, since: float = 0.0) -> dict[str, Any]:
        """Live per-version counters of an endpoint, for requests since ``since``."""
        ...


@dataclass(frozen=True)
class FeatureRecord:
    name: str
    dtype: str  # the engine's type name, e.g. Float32, Int64, String
    description: str = ""


@dataclass(frozen=True)
class FeatureViewRecord:
    """A feature view as registered: its schema, TTL, source and materialized intervals (epoch seconds)."""

    name: str
    entities: list[str]
    join_keys: list[str]
    features: list[FeatureRecord]
    ttl_seconds: float | None
    online: bool
    source: str
    timestamp_field: str
    definition_hash: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    materialized: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class EntityRecord:
    name: str
    join_keys: list[str]
    value_type: str
    description: str = ""


@dataclass(frozen=True)
class FeatureServiceRecord:
    """A feature service: the views it reads and, per view, the features it takes (in order)."""

    name: str
    views: list[tuple[str, list[str]]]
    definition_hash: str
    description: str = ""


@dataclass(frozen=True)
class FeatureRepoRecord:
    """What a feature repository holds, read from its registry in one pass."""

    project: str
    repo_path: str
    online_store: str
    registry: str
    views: list[FeatureViewRecord]
    entities: list[EntityRecord]
    services: list[FeatureServiceRecord]


class FeatureStore(Protocol):
    """Feature views, historical (point-in-time) and online retrieval. Feast is the first implementation
    (``backends/feast``)."""

    def describe(self) -> FeatureRepoRecord: ...

    def apply(self) -> list[str]:
        """Register the repository's definitions; returns the names applied."""
        ...

    def source_frame(self, view: str) -> Any:
        """Every row of a view's offline source: join keys, event timestamp, features (pandas)."""
        ...

    def materialize(self, view: str, end: Any) -> tuple[Any, Any]:
        """Load the view's rows since its last materialization up to ``end`` into the online store."""
        ...

    def historical(self, features: str | Sequence[str], entity_df: Any) -> Any:
        """The point-in-time join of ``entity_df`` (join keys and ``event_timestamp``) with a feature
        service (its name) or ``view:feature`` refs."""
        ...

    def online(
        self, refs: Sequence[str], rows: Sequence[dict[str, Any]]
    ) -> tuple[dict[str, list[Any]], dict[str, list[bool]]]:
        """Online values of ``view:feature`` refs for entity rows by feature name, and whether the store
        had each one (False: the entity was never materialized or is unknown)."""
        ...
