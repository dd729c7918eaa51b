"""Monitoring's REST routes on a real jupyter-server: drift, health, history, Evidently's report, rules,
baselines, checks and alerts; bad input answered 4xx JSON, never 500."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from mlflow.tracking import MlflowClient
from tornado.httpclient import HTTPClientError

from matih_workbench.services import Workbench
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log

API = ("matih", "api", "v1", "monitoring")


@pytest.fixture
def drifted(workbench: Workbench, client: MlflowClient, matih_home: Path, tmp_path: Path) -> None:
    train = churn(3000, seed=0)
    version, model, _ = register(workbench, client, train, folder=tmp_path)
    workbench.monitoring.baselines.capture("churn", version, train)
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    window = churn(1500, seed=7, spend_shift=250.0)
    write_log(matih_home, "churn", "churn", 1, window, model.predict(window[FEATURES]), time.time() - 900)


async def get(jp_fetch: Any, *path: str, **params: str) -> Any:
    response = await jp_fetch(*API, *path, method="GET", params=params)
    return json.loads(response.body)


async def test_drift_health_report_and_checks_over_rest(jp_fetch: Any, drifted: None) -> None:
    report = await get(jp_fetch, "endpoints", "churn", "drift", window="1h")
    assert report["drift"]["features"][0]["feature"] == "spend" and report["drift"]["features"][0]["drifted"]
    assert [f["drifted"] for f in report["drift"]["features"][1:]] == [False, False, False]
    assert report["prediction"]["drifted"] and report["severity"]["spend"] > 1
    fdr = await get(jp_fetch, "endpoints", "churn", "drift", window="1h", fdr="0.05", features="spend,plan")
    assert fdr["drift"]["fdr"]["level"] == 0.05 and len(fdr["drift"]["features"]) == 2
    health = await get(jp_fetch, "endpoints", "churn", "health")
    assert health["requests"] == 300 and health["breaches"] == []
    html = await jp_fetch(*API, "endpoints", "churn", "report", method="GET", params={"window": "1h"})
    assert html.headers["Content-Type"].startswith("text/html") and b"spend" in html.body
    check = await jp_fetch(*API, "endpoints", "churn", "checks", method="POST", body="")
    outcome = json.loads(check.body)
    assert check.code == 201 and outcome["breaches"] == ["prediction_drift"]
    alerts = await get(jp_fetch, "alerts", endpoint="churn")
    assert [a["kind"] for a in alerts["alerts"]] == ["prediction_drift"]
    history = await get(jp_fetch, "endpoints", "churn", "history")
    assert len(history["points"]) == 1 and history["points"][0]["severity"]["spend"] > 1
    listed = await get(jp_fetch, "endpoints")
    assert listed["endpoints"][0]["alerts"] == 1
    baseline = await get(jp_fetch, "models", "churn", "versions", "1", "baseline")
    assert baseline["rows"] == 3000 and baseline["prediction"] == "prediction"


async def test_rules_get_and_put(jp_fetch: Any, drifted: None) -> None:
    rules = await get(jp_fetch, "models", "churn", "rules")
    assert rules["window"] == "1h" and rules["max_error_rate"] == 0.01
    body = json.dumps({"window": "1d", "features": ["spend"], "cooldown_s": 10})
    saved = await jp_fetch(*API, "models", "churn", "rules", method="PUT", body=body)
    assert json.loads(saved.body)["features"] == ["spend"]
    assert (await get(jp_fetch, "models", "churn", "rules"))["window"] == "1d"


BAD = [
    (("endpoints", "nope", "drift"), {}, "GET", None, 404, "not_found"),
    (("endpoints", "churn", "drift"), {"window": "yesterday"}, "GET", None, 400, "invalid_input"),
    (("endpoints", "churn", "drift"), {"features": "income"}, "GET", None, 404, "not_found"),
    (("endpoints", "churn", "drift"), {"start": "abc"}, "GET", None, 400, "invalid_input"),
    (("endpoints", "churn", "drift"), {"fdr": "2"}, "GET", None, 400, "invalid_input"),
    (("endpoints", "churn", "drift"), {"version": "x"}, "GET", None, 400, "invalid_input"),
    (("endpoints", "churn", "drift"), {"end": "1000"}, "GET", None, 400, "invalid_input"),
    (("endpoints", "churn", "report"), {"window": "1m", "end": "1000"}, "GET", None, 400, "invalid_input"),
    (("models", "churn", "rules"), {}, "PUT", "{not json", 400, "invalid_input"),
    (("models", "churn", "rules"), {}, "PUT", '{"max_error_rate": 3}', 400, "invalid_input"),
    (("models", "nope", "rules"), {}, "PUT", "{}", 404, "not_found"),
    (
        ("models", "churn", "rules"),
        {},
        "PUT",
        '{"retrain": {"source": "x = 1", "training": {"experiment": "e"}}}',
        400,
        "invalid_input",
    ),
    (
        ("models", "churn", "rules"),
        {},
        "PUT",
        '{"retrain": {"source": "def train_fn(c):", "training": {}}}',
        400,
        "invalid_input",
    ),
    (("models", "churn", "versions", "0", "baseline"), {}, "GET", None, 400, "invalid_input"),
    (("models", "churn", "versions", "7", "baseline"), {}, "GET", None, 404, "not_found"),
    (("alerts",), {"limit": "0"}, "GET", None, 400, "invalid_input"),
]


async def test_bad_input_is_4xx_json(jp_fetch: Any, drifted: None) -> None:
    for path, params, method, body, status, reason in BAD:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(*API, *path, method=method, params=params, body=body)
        assert info.value.code == status, (path, params)
        assert info.value.response is not None
        assert json.loads(info.value.response.body)["reason"] == reason, (path, params)
