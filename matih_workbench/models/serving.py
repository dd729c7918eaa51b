"""Serving: deployments of registered model versions behind endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Deployment(BaseModel):
    """One registered version live behind an endpoint, with its share of the endpoint's traffic."""

    endpoint: str = Field(description="The endpoint's name; several versions may stand behind one.")
    model: str
    version: str
    server: str = Field(description="The model server running it, e.g. 'ray-serve'.")
    url: str = Field(description="Where the endpoint answers requests.")
    traffic: int = Field(ge=0, le=100, description="Percent of the endpoint's requests this version gets.")
    deployed_by: str
    deployed_at: float = Field(description="Seconds since the epoch.")


class DeploymentList(BaseModel):
    """Every deployment of the workspace, most recent first."""

    deployments: list[Deployment]
