"""Small models shared by every resource."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """What every 4xx/5xx answer carries."""

    message: str
    reason: str
    hint: str | None = None


class ServerInfo(BaseModel):
    version: str
    user: str
    tracking_uri: str
    mlflow_ui_url: str | None = None
    fast_listing: bool
