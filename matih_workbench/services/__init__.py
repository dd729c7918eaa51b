"""The service layer: the only place with business rules. Adapters build one ``Workbench`` and call it.

Each capability is a package exposing ``build(config, shared)``; ``Workbench.from_config`` calls each once.
"""

from __future__ import annotations

from dataclasses import dataclass

from matih_workbench._version import __version__
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import ServerInfo
from matih_workbench.services import features, monitoring, registry, serving, tracking, training
from matih_workbench.services.events import EventService
from matih_workbench.services.features import FeaturesService
from matih_workbench.services.monitoring import Monitoring
from matih_workbench.services.registry import LineageService, ModelCardService, RegistryService
from matih_workbench.services.serving import ServingService
from matih_workbench.services.serving.batch import BatchScoring, build_batch_scoring
from matih_workbench.services.shared import Shared
from matih_workbench.services.tracking import RunsWatcher, TrackingService
from matih_workbench.services.training import JobsService, TrainingService

__all__ = [
    "EventService",
    "FeaturesService",
    "JobsService",
    "LineageService",
    "ModelCardService",
    "RegistryService",
    "ServingService",
    "TrackingService",
    "TrainingService",
    "Workbench",
]


@dataclass
class Workbench:
    """Every service, wired to its backends once from a ``WorkbenchConfig``."""

    config: WorkbenchConfig
    events: EventService
    tracking: TrackingService
    watcher: RunsWatcher
    training: TrainingService
    jobs: JobsService
    registry: RegistryService
    lineage: LineageService
    cards: ModelCardService
    serving: ServingService
    batch: BatchScoring
    features: FeaturesService
    monitoring: Monitoring

    @classmethod
    def from_config(cls, config: WorkbenchConfig) -> Workbench:
        shared = Shared.from_config(config)
        tracked = tracking.build(config, shared)
        trained = training.build(config, shared)
        governed = registry.build(config, shared)
        return cls(
            config=config,
            events=shared.events,
            tracking=tracked.service,
            watcher=tracked.watcher,
            training=trained.service,
            jobs=trained.jobs,
            registry=governed.service,
            lineage=governed.lineage,
            cards=governed.cards,
            serving=serving.build(config, shared, governed.service),
            batch=build_batch_scoring(config, governed.service),
            features=features.build(config, shared),
            monitoring=monitoring.build(config, shared, governed.service, trained.service),
        )

    def info(self) -> ServerInfo:
        return ServerInfo(
            version=__version__,
            user=self.config.user,
            tracking_uri=_redact(self.config.tracking_uri),
            mlflow_ui_url=self.config.mlflow_ui_url or None,
            fast_listing=self.tracking.tracking.fast_listing,
        )


def _redact(uri: str) -> str:
    """Hide a password in ``scheme://user:password@host`` URIs."""
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return uri
