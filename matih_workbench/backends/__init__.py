"""The only importers of the engines (mlflow, ray, feast, evidently, boto3, tritonclient, vllm).

Grouped by engine: ``mlflow/``, ``ray/``, ``stores/`` (the workbench's own state), ``storage.py``. A role
with several implementations (``contracts``) is picked here from config, keyed by URI scheme or name as
MLflow's store registries are; the engines are imported only when an implementation is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlparse

from matih_workbench.backends.contracts import ArtifactStore, FeatureStore, TrackingBackend
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import InvalidInput

T = TypeVar("T")


class Implementations(Generic[T]):
    """Factories of one role by key; an unknown key is refused naming the known ones."""

    def __init__(self, role: str, setting: str) -> None:
        self.role = role
        self.setting = setting
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, key: str, factory: Callable[..., T]) -> None:
        self._factories[key] = factory

    def keys(self) -> list[str]:
        return sorted(self._factories)

    def create(self, key: str, *args: object) -> T:
        factory = self._factories.get(key)
        if factory is None:
            raise InvalidInput(
                f"No {self.role} for '{key}'",
                hint=f"set {self.setting} to one of: {', '.join(self.keys()) or '(none yet)'}",
            )
        return factory(*args)


def scheme(uri: str) -> str:
    """``sqlite`` of ``sqlite:///x.db``, ``postgresql`` of ``postgresql+psycopg://h/db``; else ``file``."""
    return (urlparse(uri).scheme or "file").split("+", 1)[0].lower()


def _mlflow_tracking(config: WorkbenchConfig) -> TrackingBackend:
    from matih_workbench.backends.mlflow.client import MlflowTracking

    return MlflowTracking.from_uri(config.tracking_uri, config.tracking_read_uri, config.artifact_root)


def _local_artifacts(root: str, s3_endpoint_url: str) -> ArtifactStore:
    from matih_workbench.backends.storage import LocalArtifacts

    return LocalArtifacts(root)


def _s3_artifacts(root: str, s3_endpoint_url: str) -> ArtifactStore:
    from matih_workbench.backends.storage import S3Artifacts

    return S3Artifacts(root, s3_endpoint_url)


#: Tracking stores by URI scheme: MLflow serves them all (databases read fast through SQL).
TRACKING_BACKENDS = Implementations[TrackingBackend]("tracking backend", "WorkbenchConfig.tracking_uri")
for _scheme in ("sqlite", "postgresql", "mysql", "mssql", "http", "https", "file", "databricks"):
    TRACKING_BACKENDS.register(_scheme, _mlflow_tracking)

#: Artifact storage by URI scheme of ``artifact_root``.
ARTIFACT_STORES = Implementations[ArtifactStore]("artifact storage", "WorkbenchConfig.artifact_root")
ARTIFACT_STORES.register("file", _local_artifacts)
ARTIFACT_STORES.register("s3", _s3_artifacts)


def tracking_backend(config: WorkbenchConfig) -> TrackingBackend:
    return TRACKING_BACKENDS.create(scheme(config.tracking_uri), config)


def artifact_store(root: str, s3_endpoint_url: str = "") -> ArtifactStore:
    """The store of ``root``, ``file:///...`` or ``s3://bucket/prefix``; empty: the server decides."""
    return ARTIFACT_STORES.create(scheme(root) if root else "file", root, s3_endpoint_url)


def feature_store(config: WorkbenchConfig, home: Path) -> FeatureStore:
    """The Feast repository of ``config.feature_repo`` (empty: the bundled demo under ``home/features``),
    with the online store and registry overrides of the config. Imports Feast (seconds): call it lazily."""
    from matih_workbench.backends.feast.repo import RepoSettings
    from matih_workbench.backends.feast.store import FeastStore

    settings = RepoSettings(
        repo=config.feature_repo,
        demo_folder=home / "features",
        online_store=config.feature_online_store,
        registry=config.feature_registry,
    )
    return FeastStore(settings)


def log_feature_lineage(tracking_uri: str, run_id: str, lineage: Any, frame: Any) -> str:
    """A training set's feature lineage and dataset input on an MLflow run; returns the dataset's digest."""
    from matih_workbench.backends.mlflow.feature_lineage import log_feature_lineage as log

    return log(tracking_uri, run_id, lineage, frame)
