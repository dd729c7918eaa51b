"""Monitoring: endpoints' drift, health and check history, Evidently's report, baselines, alert rules and
alerts (the checks run on an interval by the server's `Supervisor`)."""

from __future__ import annotations

import math

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from matih_workbench.errors import InvalidInput, shown
from matih_workbench.models.monitoring_api import AlertRuleSettings
from matih_workbench_server.base import WorkbenchHandler, part

_ENDPOINT = f"/monitoring/endpoints/{part('name')}"
_MODEL = f"/monitoring/models/{part('model')}"


class MonitoringHandler(WorkbenchHandler):
    def float_argument(self, name: str) -> float | None:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InvalidInput(f"Query parameter '{name}' must be a number, got '{shown(raw)}'")
        return value

    def version_argument(self) -> int | None:
        version = self.int_argument("version", 0)
        return version or None


class EndpointsHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.monitoring.drift.endpoints))


class DriftHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        features = self.get_query_argument("features", "") or None
        fdr = self.float_argument("fdr")
        if fdr is not None and not 0 < fdr < 1:
            raise InvalidInput("fdr must be between 0 and 1", hint="e.g. fdr=0.05")
        report = await self.call(
            self.workbench.monitoring.drift.drift,
            name,
            window=self.get_query_argument("window", "1d"),
            start=self.float_argument("start"),
            end=self.float_argument("end"),
            version=self.version_argument(),
            features=features.split(",") if features else None,
            fdr=fdr,
        )
        self.send(report)


class ReportHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        html = await self.call(
            self.workbench.monitoring.drift.report_html,
            name,
            window=self.get_query_argument("window", "1d"),
            start=self.float_argument("start"),
            end=self.float_argument("end"),
            version=self.version_argument(),
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "sandbox allow-scripts")  # its scripts, no origin of ours
        super(APIHandler, self).finish(html)  # APIHandler.finish would force application/json


class HealthHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        window = self.get_query_argument("window", "") or None
        health = self.workbench.monitoring.alerts.health
        self.send(await self.call(health, name, window=window, version=self.version_argument()))


class HistoryHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        limit = self.int_argument("limit", 500)
        if not 1 <= limit <= 5000:
            raise InvalidInput("limit must be between 1 and 5000")
        self.send(await self.call(self.workbench.monitoring.drift.history, name, limit))


class ChecksHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        self.send(await self.call(self.workbench.monitoring.alerts.check, name), status=201)


class AlertsHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        endpoint = self.get_query_argument("endpoint", "") or None
        limit = self.int_argument("limit", 100)
        self.send(await self.call(self.workbench.monitoring.alerts.alerts, endpoint, limit))


class RulesHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, model: str) -> None:
        self.send(await self.call(self.workbench.monitoring.alerts.rules, model))

    @tornado.web.authenticated
    @authorized
    async def put(self, model: str) -> None:
        settings = self.body_as(AlertRuleSettings)
        self.send(await self.call(self.workbench.monitoring.alerts.set_rules, model, settings))


class BaselineHandler(MonitoringHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, model: str, version: str) -> None:
        self.send(await self.call(self.workbench.monitoring.baselines.info, model, _number(version)))

    @tornado.web.authenticated
    @authorized
    async def post(self, model: str, version: str) -> None:
        """Capture the version's baseline now, from its logged training dataset."""
        info = await self.call(self.workbench.monitoring.baselines.capture, model, _number(version))
        self.send(info, status=201)


def _number(version: str) -> int:
    if not version.isdigit() or not 1 <= int(version) <= 2**31:
        raise InvalidInput(f"Invalid version '{shown(version)}'", hint="a version number: 1, 2, ...")
    return int(version)


default_handlers = [
    ("/monitoring/endpoints", EndpointsHandler),
    (f"{_ENDPOINT}/drift", DriftHandler),
    (f"{_ENDPOINT}/report", ReportHandler),
    (f"{_ENDPOINT}/health", HealthHandler),
    (f"{_ENDPOINT}/history", HistoryHandler),
    (f"{_ENDPOINT}/checks", ChecksHandler),
    ("/monitoring/alerts", AlertsHandler),
    (f"{_MODEL}/rules", RulesHandler),
    (f"{_MODEL}/versions/{part('version')}/baseline", BaselineHandler),
]
