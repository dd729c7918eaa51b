"""The Panel drift dashboard on a seeded workspace: its pickers and the figures of its panes against the
service's own answers, the service's refusal shown when a window has no traffic, and the standalone app
served by a real ``panel serve`` process over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import panel as pn
import panel.models.plotly  # the served document's Plotly panes, to read it back)
import pytest
from bokeh.client import pull_session
from mlflow.tracking import MlflowClient

from matih_workbench.errors import NotFound
from matih_workbench.models.monitoring_api import AlertRuleSettings
from matih_workbench.services import Workbench
from matih_workbench.widgets import drift_dashboard_app
from matih_workbench.widgets.drift_dashboard import TITLE, drift_dashboard
from matih_workbench.widgets.monitoring import DRIFTED, STEADY
from tests.conftest import free_port
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log


@pytest.fixture
def seeded(workbench: Workbench, client: MlflowClient, matih_home: Path, tmp_path: Path) -> list[float]:
    """``churn`` v1 with its baseline, rules over a day, 300 requests from two hours ago drifted on ``spend``
    only, and two checks of them; returns the checks' times."""
    version, model, _ = register(workbench, client, churn(3000, seed=0), folder=tmp_path)
    assert workbench.monitoring.alerts.tick() == [f"baseline of churn v{version} captured"]
    workbench.monitoring.alerts.set_rules("churn", AlertRuleSettings(window="1d"))
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    window = churn(1500, seed=7, spend_shift=250.0)
    now = time.time()
    write_log(matih_home, "churn", "churn", version, window, model.predict(window[FEATURES]), now - 7200)
    checks = [now - 600, now]
    for at in checks:
        assert workbench.monitoring.alerts.check("churn", now=at).rows == 1500
    return checks


def widgets(layout: pn.Column) -> dict[str, Any]:
    found = {w.label: w for w in layout.select(pn.widgets.Select)}
    found.update({p.name: p for p in layout.select(pn.pane.Plotly)})
    found.update({p.name: p for p in layout.select(pn.pane.Alert)})
    return found


def test_the_dashboard_draws_the_services_answers(workbench: Workbench, seeded: list[float]) -> None:
    monitoring = workbench.monitoring.drift
    report = monitoring.drift("churn", window="1d")
    history = monitoring.history("churn")
    layout = drift_dashboard(workbench)
    ui = widgets(layout)
    assert layout.name == TITLE
    assert (ui["Endpoint"].options, ui["Endpoint"].value, ui["Window"].value) == (["churn"], "churn", "1d")
    assert {"1h", "1d", "7d"} <= set(ui["Window"].options)
    assert not ui["message"].visible

    # Features by drift score: spend (drifted, red) first, as the service orders them.
    names = [f.feature for f in report.drift.features]
    assert names[0] == "spend" and sorted(names) == sorted(FEATURES)
    bars = ui["overview"].object.data[0]
    assert list(bars.x) == names
    assert list(bars.y) == pytest.approx([report.severity[n] for n in names])
    assert list(bars.marker.color) == [DRIFTED] + [STEADY] * 3
    assert ui["Feature"].options == {"spend (drifted)": "spend", **{n: n for n in names[1:]}}
    assert ui["Feature"].value == "spend"

    # The chosen feature's reference vs current shares on the shared bins.
    spend = report.drift.feature("spend")
    assert spend is not None and spend.distribution is not None
    reference, current = ui["distribution"].object.data
    assert (reference.name, current.name) == ("reference", "current")
    total = sum(spend.distribution.current)
    assert list(current.y) == pytest.approx([c / total for c in spend.distribution.current])
    assert len(reference.x) == len(spend.distribution.edges or []) - 1
    assert ui["distribution"].object.layout.title.text == "spend: drifted"

    # Its score at each check, against the threshold line at 1.
    score = ui["score"].object
    assert len(history.points) == 2
    assert list(score.data[0].y) == pytest.approx([p.severity["spend"] for p in history.points])
    assert all(y > 1 for y in score.data[0].y)
    assert [s.y0 for s in score.layout.shapes] == [1.0]

    # The window's health: every request answered, a p95 latency.
    rates, latency = ui["health"].object.data
    assert sum(rates.y) == 0 and all(p > 0 for p in latency.y)
    assert "300 requests" in ui["health"].object.layout.title.text

    ui["Feature"].value = "plan"
    plan = report.drift.feature("plan")
    assert plan is not None and plan.distribution is not None
    assert list(ui["distribution"].object.data[0].x) == plan.distribution.categories
    assert ui["distribution"].object.layout.title.text == "plan: steady"
    assert list(ui["score"].object.data[0].y) == pytest.approx([p.severity["plan"] for p in history.points])


def test_a_window_without_traffic_shows_the_refusal(workbench: Workbench, seeded: list[float]) -> None:
    ui = widgets(drift_dashboard(workbench, "churn"))
    ui["Window"].value = "1h"
    assert ui["message"].visible
    assert "No answered request of endpoint &#x27;churn&#x27;" in ui["message"].object
    assert not ui["overview"].visible and not ui["distribution"].visible
    assert ui["Feature"].options == {} and ui["Feature"].value is None
    ui["Window"].value = "1d"
    assert not ui["message"].visible and ui["overview"].visible
    assert ui["Feature"].value == "spend" and ui["distribution"].visible
    with pytest.raises(NotFound, match="Unknown endpoint 'nope'"):
        drift_dashboard(workbench, "nope")


def test_panel_serve_serves_the_dashboard(matih_home: Path, seeded: list[float], tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "panel.log"
    command = [
        str(Path(sys.executable).parent / "panel"),
        "serve",
        drift_dashboard_app.__file__,
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        "--allow-websocket-origin",
        f"127.0.0.1:{port}",
        "--args",
        "--home",
        str(matih_home),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/drift_dashboard_app"
    try:
        page = _get(url, process, log_path)
        # The page's document comes over the app's websocket, as a browser gets it.
        with pull_session(url=url) as session:
            title = session.document.title
            document = json.dumps(session.document.to_json(deferred=False), default=str)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f"<title>{TITLE}</title>" in page and title == TITLE
    assert "spend (drifted)" in document  # the feature picker's option
    assert "Traceback" not in log_path.read_text()


def _get(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"panel serve exited {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                assert answer.status == 200
                return str(answer.read().decode())
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"panel serve did not answer in {timeout} s:\n{log.read_text()}")
