"""Lifecycle events: a paged GET, and a WebSocket stream fed from the events store."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import tornado
from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from tornado import web, websocket

from matih_workbench.services import Workbench
from matih_workbench_server.base import AUTH_RESOURCE, WorkbenchHandler

log = logging.getLogger(__name__)


class EventsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        after = self.int_argument("after", 0)
        limit = self.int_argument("limit", 100)
        subject = self.get_query_argument("subject", None)
        self.send(await self.call(self.workbench.events.list, after, limit, subject))


class EventHub:
    """Pushes new events to every open stream; polls the runs watcher only while someone listens."""

    def __init__(self, workbench: Workbench, poll_seconds: float = 0.5) -> None:
        self.workbench = workbench
        self.poll_seconds = poll_seconds
        self.streams: dict[EventStreamHandler, int] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, stream: EventStreamHandler, after: int) -> None:
        self.streams[stream] = after
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def remove(self, stream: EventStreamHandler) -> None:
        self.streams.pop(stream, None)

    async def _run(self) -> None:
        since_watch = float("inf")
        while self.streams:
            since_watch += self.poll_seconds
            if since_watch >= self.workbench.config.watch_interval:
                since_watch = 0.0
                try:
                    await asyncio.to_thread(self.workbench.watcher.poll)
                except Exception as exc:  # the stream must outlive a tracking-store hiccup
                    log.warning("matih: runs watcher failed: %s", exc)
            await self._deliver()
            await asyncio.sleep(self.poll_seconds)

    async def _deliver(self) -> None:
        for stream, after in list(self.streams.items()):
            page = await asyncio.to_thread(self.workbench.events.list, after, 100)
            for event in page.events:
                if not stream.push(event.model_dump_json()):
                    self.remove(stream)
                    break
                self.streams[stream] = event.id

    async def stop(self) -> None:
        self.streams.clear()
        if self._task:
            self._task.cancel()


class EventStreamHandler(JupyterHandler, websocket.WebSocketHandler):
    """``ws://.../matih/api/v1/events/stream?after=ID``: one JSON event per message."""

    auth_resource = AUTH_RESOURCE

    @property
    def hub(self) -> EventHub:
        return self.settings["matih_event_hub"]

    async def pre_get(self) -> None:
        authorized = await ensure_async(
            self.authorizer.is_authorized(self, self.current_user, "read", AUTH_RESOURCE)
        )
        if not authorized:
            raise web.HTTPError(403)

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        await self.pre_get()
        result = super().get(*args, **kwargs)
        if result is not None:
            await result

    async def open(self, *args: Any, **kwargs: Any) -> None:
        raw = self.get_query_argument("after", "")
        known = raw.isascii() and raw.isdigit() and len(raw) <= 18  # else (e.g. '²', 30 digits): from now
        after = int(raw) if known else await asyncio.to_thread(self.hub.workbench.events.last_id)
        self.hub.add(self, after)

    def push(self, message: str) -> bool:
        try:
            self.write_message(message)
            return True
        except websocket.WebSocketClosedError:
            return False

    def on_message(self, message: str | bytes) -> None:
        if message == "ping":
            self.write_message(json.dumps({"type": "pong"}))

    def on_close(self) -> None:
        self.hub.remove(self)


default_handlers = [
    ("/events", EventsHandler),
    ("/events/stream", EventStreamHandler),
]
