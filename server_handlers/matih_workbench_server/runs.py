"""Runs, metric histories and comparisons."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench.models import ComparisonRequest
from matih_workbench.services.tracking import parse_modes
from matih_workbench_server.base import WorkbenchHandler


class RunHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.send(await self.call(self.workbench.tracking.get_run, run_id))


class MetricHistoryHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        self.send(await self.call(self.workbench.tracking.metric_history, run_id, key))


class ComparisonHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        run_ids = self.get_query_arguments("run_id")
        modes = parse_modes(self.get_query_arguments("mode"))
        self.send(await self.call(self.workbench.tracking.compare, run_ids, modes))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.body_as(ComparisonRequest)
        self.send(await self.call(self.workbench.tracking.compare, request.run_ids, request.modes))
