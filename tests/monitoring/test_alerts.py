"""Alert rules and checks: defaults and validation, a drift breach written as MODEL_DRIFT_DETECTED with its
evidence, the registry's version annotated, a real local webhook called, the cool-down honoured, health
alerts, and the history the charts read."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Forbidden, InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.models.monitoring_api import AlertKind, AlertRuleSettings
from matih_workbench.services import Workbench
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP server on 127.0.0.1 collecting the JSON bodies POSTed to it."""
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(workbench: Workbench, client: MlflowClient, matih_home: Path, tmp_path: Path) -> Any:
    train = churn(3000, seed=0)
    version, model, _ = register(workbench, client, train, folder=tmp_path)
    assert workbench.monitoring.alerts.tick() == [f"baseline of churn v{version} captured"]
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    return model


def test_rules_have_defaults_and_refuse_bad_settings(workbench: Workbench, endpoint: Any) -> None:
    alerts = workbench.monitoring.alerts
    rule = alerts.rules("churn")
    assert (rule.window, rule.max_error_rate, rule.drift_share, rule.cooldown_s) == ("1h", 0.01, 0.5, 3600)
    saved = alerts.set_rules("churn", AlertRuleSettings(window="1d", features=["spend"], cooldown_s=60))
    assert saved.updated_by == workbench.config.user and alerts.rules("churn").features == ["spend"]
    with pytest.raises(InvalidInput, match="Invalid window"):
        alerts.set_rules("churn", AlertRuleSettings(window="soon"))
    with pytest.raises(InvalidInput, match="Invalid webhook"):
        alerts.set_rules("churn", AlertRuleSettings(webhook="file:///etc/passwd"))
    with pytest.raises(NotFound):
        alerts.set_rules("no-such-model", AlertRuleSettings())
    settings = {"home": workbench.config.home, "tracking_uri": workbench.config.tracking_uri}
    outsider = Workbench.from_config(WorkbenchConfig(user="mallory", **settings))
    with pytest.raises(Forbidden, match="mallory may not change the alert rules of 'churn'"):
        outsider.monitoring.alerts.set_rules("churn", AlertRuleSettings(window="1h"))
    assert alerts.rules("churn").window == "1d"  # refused changes changed nothing


def test_a_drift_breach_alerts_once_through_every_channel(
    workbench: Workbench,
    client: MlflowClient,
    endpoint: Any,
    matih_home: Path,
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = webhook
    alerts = workbench.monitoring.alerts
    alerts.set_rules("churn", AlertRuleSettings(features=["plan"], webhook=url, prediction_drift=False))
    now = time.time()
    calm = churn(1200, seed=21)
    write_log(matih_home, "churn", "churn", 1, calm, endpoint.predict(calm[FEATURES]), now - 3000)
    quiet = alerts.check("churn", now=now)
    assert quiet.breaches == [] and quiet.alerts == [] and quiet.rows == 1200
    # the plan mix moves: one watched feature drifts, the dataset does not
    shifted = churn(1200, seed=22, plan_p=[0.1, 0.2, 0.7])
    write_log(matih_home, "churn", "churn", 1, shifted, endpoint.predict(shifted[FEATURES]), now + 100)
    outcome = alerts.check("churn", now=now + 3700)
    assert outcome.breaches == [AlertKind.DRIFT]
    (alert,) = outcome.alerts
    assert alert.evidence["watched_features"] == ["plan"] and not alert.evidence["dataset_drift"]
    assert [f["feature"] for f in alert.evidence["features"]] == ["plan"]
    event = [e for e in workbench.events.list().events if e.type is EventType.MODEL_DRIFT_DETECTED][-1]
    assert event.id == alert.event_id and event.payload["alert_id"] == alert.id
    assert event.payload["evidence"]["features"][0]["method"] == "jensenshannon"
    tag = json.loads(client.get_model_version("churn", "1").tags["matih.monitoring.alert"])
    assert (tag["kind"], tag["alert_id"]) == ("drift", alert.id)
    assert alert.webhook == "HTTP 202" and received[0]["alert_id"] == alert.id
    assert received[0]["evidence"]["watched_features"] == ["plan"]
    # the breach goes on; within the cool-down, no second alert
    again = alerts.check("churn", now=now + 3710)
    assert again.breaches == [AlertKind.DRIFT] and again.alerts == []
    assert len(received) == 1 and len(alerts.alerts("churn").alerts) == 1
    history = workbench.monitoring.drift.history("churn")
    assert [p.drifted_features for p in history.points] == [0, 1, 1]
    assert history.points[-1].severity["plan"] > 1
    listed = workbench.monitoring.drift.endpoints().endpoints[0]
    assert (listed.endpoint, listed.alerts, listed.main_version) == ("churn", 1, 1)


def test_health_alerts_and_the_scheduled_pass(workbench: Workbench, endpoint: Any, matih_home: Path) -> None:
    alerts = workbench.monitoring.alerts
    now = time.time()
    data = churn(1500, seed=31)
    write_log(matih_home, "churn", "churn", 1, data, endpoint.predict(data[FEATURES]), now - 3000)
    write_log(
        matih_home, "churn", "churn", 1, data[:20], None, now - 100, batch=1, status=500, latency_ms=900
    )
    outcomes = alerts.check_all(now=now)
    (outcome,) = outcomes
    assert set(outcome.breaches) == {AlertKind.ERROR_RATE, AlertKind.LATENCY}
    events = [e for e in workbench.events.list().events if e.type is EventType.MODEL_HEALTH_DEGRADED]
    assert sorted(e.payload["kind"] for e in events) == ["error_rate", "latency"]
    assert events[0].payload["evidence"]["errors"] == 20
    # the supervisor's pass: checks run once the interval has passed, and alert nothing new in cool-down
    workbench.monitoring.alerts.interval = 60
    assert workbench.monitoring.alerts.tick(now=now + 61) == ["churn v1: 1500 rows; no new alert"]
    assert workbench.monitoring.alerts.tick(now=now + 62) == []
    # few requests: nothing is judged but the volume
    alerts.set_rules("churn", AlertRuleSettings(min_rows=1000))
    skipped = alerts.check("churn", now=now)
    assert skipped.skipped == "320 requests in the window (the rules judge 1000+)" and skipped.breaches == []
