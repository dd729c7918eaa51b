"""Serving: registered versions deployed behind endpoints, and the traffic between them."""

from __future__ import annotations

from matih_workbench.backends.stores.deployments import DeploymentStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.serving.service import ServingService
from matih_workbench.services.shared import Shared

__all__ = ["ServingService", "build"]


def build(config: WorkbenchConfig, shared: Shared) -> ServingService:
    return ServingService(DeploymentStore(shared.home / "deployments.db"))
