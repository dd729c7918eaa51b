"""REST handlers through a real jupyter-server (pytest-jupyter), over a real MLflow SQLite store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from mlflow.tracking import MlflowClient
from tornado.httpclient import HTTPClientError

from matih_workbench.backends.mlflow.demo_data import seed_demo_runs
from matih_workbench.config import WorkbenchConfig

API = ("matih", "api", "v1")


@pytest.fixture
def seeded(matih_home: Path) -> tuple[MlflowClient, str]:
    config = WorkbenchConfig(home=str(matih_home))
    experiment_id = seed_demo_runs(config.tracking_uri, config.artifact_root)
    return MlflowClient(tracking_uri=config.tracking_uri), experiment_id


async def get_json(jp_fetch: Any, *path: str, **params: Any) -> Any:
    response = await jp_fetch(*API, *path, params=params, method="GET")
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def expect_error(
    jp_fetch: Any, status: int, *path: str, method: str = "GET", **kwargs: Any
) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path, method=method, **kwargs)
    assert info.value.code == status
    body = json.loads(info.value.response.body)
    assert set(body) >= {"message", "reason"}
    assert "Traceback" not in body["message"]
    return body


async def test_info_and_experiments(jp_fetch: Any, seeded: tuple[MlflowClient, str]) -> None:
    _, experiment_id = seeded
    info = await get_json(jp_fetch, "info")
    assert info["fast_listing"] is True and info["tracking_uri"].startswith("sqlite:///")
    experiments = await get_json(jp_fetch, "experiments")
    demo = next(e for e in experiments["experiments"] if e["name"] == "quickstart-demo")
    assert demo["experiment_id"] == experiment_id and demo["run_count"] == 12
    one = await get_json(jp_fetch, "experiments", experiment_id)
    assert one["name"] == "quickstart-demo"
    keys = await get_json(jp_fetch, "experiments", experiment_id, "keys")
    assert keys["metric_keys"] == ["accuracy", "auc", "loss"]


async def test_runs_sorted_filtered_paginated(jp_fetch: Any, seeded: tuple[MlflowClient, str]) -> None:
    client, experiment_id = seeded
    first = await get_json(
        jp_fetch, "experiments", experiment_id, "runs", order_by="metrics.accuracy DESC", page_size=5
    )
    assert first["total"] == 12 and len(first["runs"]) == 5
    values = [r["metrics"]["accuracy"] for r in first["runs"]]
    assert values == sorted(values, reverse=True)
    second = await get_json(
        jp_fetch,
        "experiments",
        experiment_id,
        "runs",
        order_by="metrics.accuracy DESC",
        page_size=5,
        page_token=first["next_page_token"],
    )
    assert second["runs"][0]["metrics"]["accuracy"] <= values[-1]
    expected = client.search_runs(
        [experiment_id], "params.model = 'random_forest'", order_by=["params.lr ASC"]
    )
    filtered = await get_json(
        jp_fetch,
        "experiments",
        experiment_id,
        "runs",
        filter="params.model = 'random_forest'",
        order_by="params.lr ASC",
    )
    assert [r["run_id"] for r in filtered["runs"]] == [r.info.run_id for r in expected]


async def test_run_history_comparison_best(jp_fetch: Any, seeded: tuple[MlflowClient, str]) -> None:
    _, experiment_id = seeded
    page = await get_json(jp_fetch, "experiments", experiment_id, "runs", page_size=3)
    a, b, c = (r["run_id"] for r in page["runs"])
    run = await get_json(jp_fetch, "runs", a)
    assert run["run_id"] == a and "artifacts" in run and run["params"]["model"]
    history = await get_json(jp_fetch, "runs", a, "metrics", "loss")
    assert [p["step"] for p in history["points"]] == list(range(8))
    response = await jp_fetch(
        *API, "comparisons", params=[("run_id", a), ("run_id", b), ("run_id", c)], method="GET"
    )
    comparison = json.loads(response.body)
    assert [r["run_id"] for r in comparison["runs"]] == [a, b, c]
    assert any(p["differs"] for p in comparison["params"])
    assert {h["key"] for h in comparison["histories"]} == {"accuracy", "auc", "loss"}
    posted = await jp_fetch(*API, "comparisons", method="POST", body=json.dumps({"run_ids": [a, b, c]}))
    assert json.loads(posted.body) == comparison
    best = await get_json(jp_fetch, "experiments", experiment_id, "best-run", metric="loss", mode="min")
    assert best["mode"] == "min" and best["value"] == min(
        r["metrics"]["loss"] for r in (await get_json(jp_fetch, "experiments", experiment_id, "runs"))["runs"]
    )


async def test_bad_input_answers_4xx_json(jp_fetch: Any, seeded: tuple[MlflowClient, str]) -> None:
    _, experiment_id = seeded
    runs = ("experiments", experiment_id, "runs")
    body = await expect_error(jp_fetch, 400, *runs, params={"filter": "metrics.accuracy >> 2"})
    assert body["reason"] == "invalid_input"
    await expect_error(jp_fetch, 400, *runs, params={"order_by": "metrics.accuracy UPWARDS"})
    await expect_error(jp_fetch, 400, *runs, params={"page_token": "%%%garbage"})
    await expect_error(jp_fetch, 400, *runs, params={"page_size": "many"})
    await expect_error(jp_fetch, 400, *runs, params={"page_size": "0"})
    await expect_error(jp_fetch, 404, "runs", "0123456789abcdef0123456789abcdef")
    await expect_error(jp_fetch, 404, "experiments", "424242", "runs")
    await expect_error(jp_fetch, 404, "experiments", "not-an-id")
    await expect_error(jp_fetch, 400, "comparisons", params={"run_id": "only-one"})
    await expect_error(
        jp_fetch, 400, "comparisons", params=[("run_id", "a"), ("run_id", "b"), ("mode", "loss")]
    )
    await expect_error(jp_fetch, 400, "experiments", experiment_id, "best-run")
    await expect_error(jp_fetch, 400, "experiments", params={"view": "sideways"})
    await expect_error(jp_fetch, 400, "events", params={"after": "x"})
    await expect_error(jp_fetch, 405, "experiments", method="POST", body="{not json")
    body = await expect_error(jp_fetch, 400, "comparisons", method="POST", body="{not json")
    assert body["message"] == "Request body is not valid JSON"
    await expect_error(jp_fetch, 400, "comparisons", method="POST", body='{"run_ids": "ab"}')
    await expect_error(
        jp_fetch, 400, "comparisons", method="POST", body='{"run_ids": ["a", "b"], "modes": {"x": "up"}}'
    )
    await expect_error(jp_fetch, 404, "comparisons", method="POST", body='{"run_ids": ["a", "b"]}')


async def test_event_stream_announces_runs_changed(
    jp_fetch: Any, jp_ws_fetch: Any, seeded: tuple[MlflowClient, str]
) -> None:
    client, experiment_id = seeded
    ws = await jp_ws_fetch(*API, "events", "stream")
    await asyncio.sleep(0.6)  # the watcher takes its first fingerprint
    run = client.create_run(experiment_id, run_name="fresh")
    event = json.loads(await asyncio.wait_for(ws.read_message(), timeout=10))
    assert event["type"] == "RUNS_CHANGED" and event["subject"] == experiment_id
    page = await get_json(jp_fetch, "experiments", experiment_id, "runs")
    assert page["total"] == 13 and page["runs"][0]["run_name"] == "fresh"

    client.set_tag(run.info.run_id, "note", "updated later")
    event = json.loads(await asyncio.wait_for(ws.read_message(), timeout=10))
    assert event["type"] == "RUNS_CHANGED"
    client.delete_run(run.info.run_id)
    event = json.loads(await asyncio.wait_for(ws.read_message(), timeout=10))
    assert event["type"] == "RUNS_CHANGED"
    assert (await get_json(jp_fetch, "experiments", experiment_id, "runs"))["total"] == 12
    ws.close()

    listed = await get_json(jp_fetch, "events", after=0)
    assert [e["type"] for e in listed["events"]].count("RUNS_CHANGED") >= 3
