"""Serving views: the deployments of the workspace."""

from __future__ import annotations

import pandas as pd

from matih_workbench.models import DeploymentList
from matih_workbench.widgets.common import Table, time_s

_COLUMNS = ["endpoint", "model", "version", "traffic %", "server", "url", "deployed by", "deployed at"]


class DeploymentTable(Table):
    caption = "Deployments"

    def __init__(self, deployments: DeploymentList) -> None:
        self.deployments = deployments.deployments

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            [d.endpoint, d.model, d.version, d.traffic, d.server, d.url, d.deployed_by, time_s(d.deployed_at)]
            for d in self.deployments
        ]
        return pd.DataFrame(rows, columns=_COLUMNS)
