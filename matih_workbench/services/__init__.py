"""The service layer: the only place with business rules. Adapters build one ``Workbench`` and call it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matih_workbench.backends.events_store import SqliteEventStore
from matih_workbench.backends.mlflow_backend import MlflowTracking
from matih_workbench.backends.mlflow_registry import MlflowRegistry
from matih_workbench.backends.ray_backend import RayBackend
from matih_workbench.backends.registry_store import ModelLocks, PromotionStore
from matih_workbench.backends.storage import ArtifactStorage
from matih_workbench.backends.training_runs import TrainingRuns
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import ServerInfo
from matih_workbench.services.events import EventService
from matih_workbench.services.jobs import JobsService
from matih_workbench.services.lineage import LineageService
from matih_workbench.services.model_cards import ModelCardService
from matih_workbench.services.registry import RegistryService, Roles
from matih_workbench.services.tracking import TrackingService
from matih_workbench.services.training import TrainingService
from matih_workbench.services.watch import RunsWatcher

__all__ = [
    "EventService",
    "JobsService",
    "LineageService",
    "ModelCardService",
    "RegistryService",
    "TrackingService",
    "TrainingService",
    "Workbench",
]


@dataclass
class Workbench:
    """Every service, wired to its backends once from a ``WorkbenchConfig``."""

    config: WorkbenchConfig
    tracking: TrackingService
    events: EventService
    watcher: RunsWatcher
    training: TrainingService
    jobs: JobsService
    registry: RegistryService
    lineage: LineageService
    cards: ModelCardService

    @classmethod
    def from_config(cls, config: WorkbenchConfig) -> Workbench:
        home: Path = config.ensure_home()
        backend = MlflowTracking.from_uri(config.tracking_uri, config.tracking_read_uri, config.artifact_root)
        events = EventService(SqliteEventStore(home / "events.db"), config.user)
        registry, lineage, cards = _registry_services(config, home, events)
        training_runs = TrainingRuns(config.tracking_uri)
        return cls(
            config=config,
            tracking=TrackingService(backend, config.mlflow_ui_url),
            events=events,
            watcher=RunsWatcher(backend, events),
            training=TrainingService(
                training_runs,
                RayBackend(config.ray_address),
                events,
                config.user,
                home,
                ArtifactStorage(config.artifact_root, config.s3_endpoint_url),
            ),
            jobs=JobsService(events, backend, training_runs),
            registry=registry,
            lineage=lineage,
            cards=cards,
        )

    def info(self) -> ServerInfo:
        from matih_workbench import __version__

        return ServerInfo(
            version=__version__,
            user=self.config.user,
            tracking_uri=_redact(self.config.tracking_uri),
            mlflow_ui_url=self.config.mlflow_ui_url or None,
            fast_listing=self.tracking.tracking.fast_listing,
        )


def _registry_services(
    config: WorkbenchConfig, home: Path, events: EventService
) -> tuple[RegistryService, LineageService, ModelCardService]:
    """The registry, its lineage and its cards over one MLflow registry client."""
    backend = MlflowRegistry.from_uri(config.tracking_uri)
    roles = Roles(
        user=config.user,
        groups=list(config.user_groups),
        leads=list(config.registry_leads),
        lead_groups=list(config.registry_lead_groups),
        allow_self_approval=config.allow_self_approval,
    )
    registry = RegistryService(
        backend, PromotionStore(home / "registry.db"), ModelLocks(home / "locks"), events, roles
    )
    lineage = LineageService(backend, registry.history)
    cards = ModelCardService(backend, registry, lineage)
    registry.card_builder = cards.card
    return registry, lineage, cards


def _redact(uri: str) -> str:
    """Hide a password in ``scheme://user:password@host`` URIs."""
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return uri
