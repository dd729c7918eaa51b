"""Base handler: typed access to the Workbench, one error translation point, JSON models out."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web

from matih_workbench.errors import InvalidInput, WorkbenchError, shown
from matih_workbench.models import ErrorBody
from matih_workbench.models.common import MAX_INT64
from matih_workbench.services import Workbench

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
AUTH_RESOURCE = "matih"
#: A query integer: ASCII digits with an optional sign, at most 19 of them (signed 64-bit)
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
#: Characters of an error message sent back; longer ones (an engine's, quoting a user's input) are cut
MAX_MESSAGE = 2000


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
        if not _INTEGER.fullmatch(raw) or abs(int(raw)) > MAX_INT64:
            raise InvalidInput(
                f"Query parameter '{name}' must be an integer, got '{shown(raw)}'",
                hint=f"a whole number between -{MAX_INT64} and {MAX_INT64}",
            )
        return int(raw)

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
            body = ErrorBody(
                message=_cut(exc.message),
                reason=exc.reason,
                hint=exc.hint and _cut(exc.hint),
                details=details,
            )
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


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else f"{text[:MAX_MESSAGE]}... (cut at {MAX_MESSAGE} characters)"


class Supervisor:
    """Runs ``tick`` (a service's periodic pass, returning what it did) every ``interval`` seconds, off the
    event loop; a failed pass is logged and the next one runs."""

    def __init__(self, name: str, tick: Callable[[], list[str]], interval: float) -> None:
        self.name, self.tick, self.interval = name, tick, interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        log = logging.getLogger(__name__)
        while True:
            try:
                for line in await asyncio.to_thread(self.tick):
                    log.info("matih %s: %s", self.name, line)
            except Exception as exc:  # a failed pass must not stop the supervisor
                log.warning("matih: %s pass failed: %s", self.name, exc)
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
