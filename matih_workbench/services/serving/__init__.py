"""Serving: registered versions deployed behind endpoints, and the traffic between them."""

from __future__ import annotations

from matih_workbench.backends.ray.serve.head import ServeHead
from matih_workbench.backends.ray.serve.server import RayServeServer
from matih_workbench.backends.stores.deployments import DeploymentStore
from matih_workbench.backends.stores.promotions import ModelLocks
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import FeatureSource
from matih_workbench.services.registry import RegistryService
from matih_workbench.services.serving.service import ServingService
from matih_workbench.services.shared import Shared

__all__ = ["ServingService", "build"]


def build(config: WorkbenchConfig, shared: Shared, registry: RegistryService) -> ServingService:
    head = ServeHead(shared.home, config.serving_dashboard_url, config.serving_url, config.serving_host)
    return ServingService(
        DeploymentStore(config.state_url or shared.home / "deployments.db"),
        RayServeServer(head),
        registry,
        shared.events,
        tracking_uri=config.tracking_uri,
        stages=list(config.serving_stages),
        log_root=str(shared.home / "inference"),
        log_sample=config.inference_log_sample,
        api_key=config.serving_api_key,
        artifact_root=config.artifact_root,
        s3_endpoint_url=config.s3_endpoint_url,
        locks=ModelLocks(shared.home / "locks", config.state_url),
        features=FeatureSource(
            repo=config.feature_repo or str(shared.home / "features"),
            online_store=config.feature_online_store,
            registry=config.feature_registry,
        ),
    )
