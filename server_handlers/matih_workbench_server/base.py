"""Base handler: typed access to the Workbench, one error translation point, JSON models out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web

from matih_workbench.errors import InvalidInput, WorkbenchError
from matih_workbench.models import ErrorBody
from matih_workbench.services import Workbench

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
AUTH_RESOURCE = "matih"


def part(name: str) -> str:
    """A named path segment of a route, passed to the handler as the keyword argument ``name``."""
    return f"(?P<{name}>[^/]+)"


class WorkbenchHandler(APIHandler):
    """Parse, call a service off the event loop, serialize. Errors become ``{message, reason}`` JSON."""

    auth_resource = AUTH_RESOURCE

    @property
    def workbench(self) -> Workbench:
        return self.settings["matih_workbench"]

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking service call in a worker thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def send(self, model: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(model.model_dump_json())

    def int_argument(self, name: str, default: int) -> int:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise InvalidInput(f"Query parameter '{name}' must be an integer, got '{raw}'") from exc

    def body_as(self, model: type[M]) -> M:
        """The JSON body validated against a request model; 400 with the first problem otherwise."""
        try:
            return model.model_validate_json(self.request.body or b"{}")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            if first["type"] == "json_invalid":
                raise InvalidInput("Request body is not valid JSON") from None
            raise InvalidInput(f"Invalid request body at '{where}': {first['msg']}") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The one translation point: domain errors keep their status; nothing leaks a traceback."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, WorkbenchError):
            details = exc.details if isinstance(exc.details, dict) else None
            body = ErrorBody(message=exc.message, reason=exc.reason, hint=exc.hint, details=details)
        elif isinstance(exc, web.HTTPError):
            body = ErrorBody(
                message=exc.log_message or self._reason, reason=self._reason.lower().replace(" ", "_")
            )
        else:
            body = ErrorBody(message="Internal error; see the Jupyter server log", reason="internal_error")
        self.set_header("Content-Type", "application/json")
        self.finish(body.model_dump_json())

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, WorkbenchError):
            status_code = exc.status
        super().send_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, WorkbenchError):
            self.log.info(
                "%s %s -> %s: %s", self.request.method, self.request.path, value.status, value.message
            )
            return
        super().log_exception(typ, value, tb)
