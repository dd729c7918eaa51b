"""Serving: which registered versions are live behind which endpoints."""

from __future__ import annotations

from dataclasses import asdict

from matih_workbench.backends.stores.deployments import DeploymentStore
from matih_workbench.models import Deployment, DeploymentList


class ServingService:
    def __init__(self, store: DeploymentStore) -> None:
        self.store = store

    def deployments(self) -> DeploymentList:
        """Every deployment of the workspace, most recent first."""
        return DeploymentList(deployments=[Deployment(**asdict(row)) for row in self.store.list()])
