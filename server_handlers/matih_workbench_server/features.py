"""Features: the repository's views with freshness, materialization jobs, the online/offline check and
sample rows."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench.models import MaterializeRequest
from matih_workbench_server.base import WorkbenchHandler, part


class FeaturesHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.features.overview))


class MaterializationsHandler(WorkbenchHandler):
    """Start an incremental materialization: 202, follow it at ``Location``."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.body_as(MaterializeRequest)
        job = await self.call(self.workbench.features.materialize, request.views, request.end)
        self.set_header("Location", f"{self.request.path}/{job.id}")
        self.send(job, status=202)


class MaterializationHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send(await self.call(self.workbench.features.materialization, job_id))


class CheckHandler(WorkbenchHandler):
    """Online against offline values for a sample of entities (``?sample=N&view=V&view=W``)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        sample = self.int_argument("sample", 10)
        views = self.get_query_arguments("view") or None
        self.send(await self.call(self.workbench.features.check, sample, views))


class RowsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, view: str) -> None:
        limit = self.int_argument("limit", 20)
        self.send(await self.call(self.workbench.features.sample, view, limit))


default_handlers = [
    ("/features", FeaturesHandler),
    ("/features/materializations", MaterializationsHandler),
    (f"/features/materializations/{part('job_id')}", MaterializationHandler),
    ("/features/check", CheckHandler),
    (f"/features/views/{part('view')}/rows", RowsHandler),
]
