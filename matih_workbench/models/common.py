"""Small models shared by every resource."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """What every 4xx/5xx answer carries."""

    message: str
    reason: str
    hint: str | None = None
    details: dict[str, Any] | None = None


class ServerInfo(BaseModel):
    version: str
    user: str
    tracking_uri: str
    mlflow_ui_url: str | None = None
    fast_listing: bool
