"""Small models shared by every resource, and the limits every input is held to."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

#: Characters in any free-text field: a reason, a comment, a description, a card text, a tag value.
MAX_TEXT = 5000
#: Characters in a name: a model, a metric, a column.
MAX_NAME = 250
#: Ids and numbers that reach a database are signed 64-bit integers.
MAX_INT64 = 2**63 - 1

FreeText = Annotated[str, Field(max_length=MAX_TEXT)]
Name = Annotated[str, Field(max_length=MAX_NAME)]


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
