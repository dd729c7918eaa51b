"""Serving: deployments of registered versions behind endpoints."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench_server.base import WorkbenchHandler


class DeploymentsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.serving.deployments))


default_handlers = [("/deployments", DeploymentsHandler)]
