"""Monitoring: baselines of registered versions, drift and health of endpoints' traffic, alert rules and
the checks that apply them."""

from __future__ import annotations

from dataclasses import dataclass

from matih_workbench.backends.mlflow.baselines import BaselineArtifacts
from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.backends.stores.deployments import DeploymentStore
from matih_workbench.backends.stores.monitoring import MonitoringStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.monitoring.alerts import AlertService
from matih_workbench.services.monitoring.baselines import BaselineService
from matih_workbench.services.monitoring.retrain import RetrainService
from matih_workbench.services.monitoring.service import DriftService
from matih_workbench.services.registry import RegistryService
from matih_workbench.services.shared import Shared
from matih_workbench.services.training import TrainingService

__all__ = ["AlertService", "BaselineService", "DriftService", "Monitoring", "RetrainService", "build"]


@dataclass(frozen=True)
class Monitoring:
    drift: DriftService
    baselines: BaselineService
    alerts: AlertService
    retrain: RetrainService


def build(
    config: WorkbenchConfig, shared: Shared, governance: RegistryService, training: TrainingService
) -> Monitoring:
    registry = MlflowRegistry.from_uri(config.tracking_uri)
    store = MonitoringStore(shared.home / "monitoring.db")
    baselines = BaselineService(
        shared.home / "monitoring" / "baselines",
        registry,
        BaselineArtifacts(config.tracking_uri),
        shared.events,
        config.tracking_uri,
    )
    drift = DriftService(
        DeploymentStore(config.state_url or shared.home / "deployments.db"),
        baselines,
        store,
        shared.home / "inference",
    )
    retrain = RetrainService(training, governance, registry, shared.events)
    alerts = AlertService(
        drift, baselines, store, registry, shared.events, config.monitoring_interval, governance, retrain
    )
    return Monitoring(drift=drift, baselines=baselines, alerts=alerts, retrain=retrain)
