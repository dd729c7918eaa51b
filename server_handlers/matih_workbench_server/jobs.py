"""Training jobs of the workspace, as rebuilt from lifecycle events and the tracking store."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench_server.base import WorkbenchHandler


class JobsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.int_argument("limit", 50)
        self.send(await self.call(self.workbench.jobs.list, limit))


class JobHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send(await self.call(self.workbench.jobs.get, job_id))
