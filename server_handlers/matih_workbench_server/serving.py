"""Serving: endpoints, their versions and traffic, rollouts and live stats."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench.errors import InvalidInput
from matih_workbench.models import (
    CanaryPolicy,
    DeployRequest,
    ShadowChange,
    TrafficChange,
    TritonExportRequest,
)
from matih_workbench_server.base import WorkbenchHandler, part

_ENDPOINT = f"/endpoints/{part('name')}"


class DeploymentsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.serving.deployments))


class EndpointsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.serving.endpoints))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.body_as(DeployRequest)
        self.send(await self.call(self.workbench.serving.deploy, request), status=201)


class EndpointHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(self.workbench.serving.endpoint, name))

    @tornado.web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        version = self.get_query_argument("version", None) or None
        self.send(await self.call(self.workbench.serving.undeploy, name, version))


class TrafficHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        change = self.body_as(TrafficChange)
        self.send(await self.call(self.workbench.serving.set_traffic, name, change.weights))


class ShadowHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        change = self.body_as(ShadowChange)
        self.send(await self.call(self.workbench.serving.set_shadow, name, change.version, change.enabled))


class CanaryHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        policy = self.body_as(CanaryPolicy)
        self.send(await self.call(self.workbench.serving.start_canary, name, policy), status=201)

    @tornado.web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        self.send(await self.call(self.workbench.serving.stop_canary, name))


class StatsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        raw = self.get_query_argument("since", "0") or "0"
        try:
            since = float(raw)
        except ValueError:
            raise InvalidInput(
                f"Query parameter 'since' must be seconds since the epoch, got '{raw[:40]}'"
            ) from None
        self.send(await self.call(self.workbench.serving.stats, name, since))


class TritonExportsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.body_as(TritonExportRequest)
        self.send(await self.call(self.workbench.serving.export_triton, request), status=201)


default_handlers = [
    ("/deployments", DeploymentsHandler),
    ("/endpoints", EndpointsHandler),
    (_ENDPOINT, EndpointHandler),
    (f"{_ENDPOINT}/traffic", TrafficHandler),
    (f"{_ENDPOINT}/shadow", ShadowHandler),
    (f"{_ENDPOINT}/canary", CanaryHandler),
    (f"{_ENDPOINT}/stats", StatsHandler),
    ("/triton-exports", TritonExportsHandler),
]
