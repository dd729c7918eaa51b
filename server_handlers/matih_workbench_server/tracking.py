"""Tracking: experiments, their runs, keys and best run; runs, metric histories and comparisons."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench.models import ComparisonRequest, ExperimentList
from matih_workbench.services.tracking.service import parse_modes
from matih_workbench_server.base import WorkbenchHandler, part


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


_EXPERIMENT = f"/experiments/{part('experiment_id')}"
_RUN = f"/runs/{part('run_id')}"

default_handlers = [
    ("/experiments", ExperimentsHandler),
    (_EXPERIMENT, ExperimentHandler),
    (f"{_EXPERIMENT}/keys", ExperimentKeysHandler),
    (f"{_EXPERIMENT}/runs", ExperimentRunsHandler),
    (f"{_EXPERIMENT}/best-run", BestRunHandler),
    (_RUN, RunHandler),
    (f"{_RUN}/metrics/{part('key')}", MetricHistoryHandler),
    ("/comparisons", ComparisonHandler),
]
