"""Experiments, their runs, keys and best run."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench.models import ExperimentList
from matih_workbench_server.base import WorkbenchHandler


class ExperimentsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        view = self.get_query_argument("view", "active")
        experiments = await self.call(self.workbench.tracking.list_experiments, view)
        self.send(ExperimentList(experiments=experiments))


class ExperimentHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        self.send(await self.call(self.workbench.tracking.get_experiment, experiment_id))


class ExperimentKeysHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        self.send(await self.call(self.workbench.tracking.experiment_keys, experiment_id))


class ExperimentRunsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        page = await self.call(
            self.workbench.tracking.list_runs,
            experiment_id,
            filter_string=self.get_query_argument("filter", None),
            order_by=[o for o in self.get_query_arguments("order_by") if o.strip()],
            page_size=self.int_argument("page_size", 100),
            page_token=self.get_query_argument("page_token", None),
        )
        self.send(page)


class BestRunHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        metric = self.get_query_argument("metric")
        mode = self.get_query_argument("mode", "max")
        self.send(await self.call(self.workbench.tracking.best_run, experiment_id, metric, mode))
