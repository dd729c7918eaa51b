"""Bad input on the tracking and events routes, through a real jupyter-server over a real MLflow store: a
clear 4xx (never a 500, never a misleading 503), MLflow's own refusals on the fast SQL path, short echoes;
and a live panel that hears about every change a plain MLflow client makes."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from tornado.httpclient import HTTPClientError

from matih_workbench.backends.mlflow.demo_data import seed_demo_runs
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.tracking.service import MAX_ORDER_KEYS, _query_id

API = ("matih", "api", "v1")
HUGE = "99999999999999999999"  # 20 digits: beyond a signed 64-bit integer


@pytest.fixture
def seeded(matih_home: Path) -> tuple[MlflowClient, str]:
    config = WorkbenchConfig(home=str(matih_home))
    experiment_id = seed_demo_runs(config.tracking_uri, config.artifact_root)
    return MlflowClient(tracking_uri=config.tracking_uri), experiment_id


async def refused(jp_fetch: Any, status: int, *path: str, **params: Any) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path, params=params, method="GET")
    body = json.loads(info.value.response.body)
    assert info.value.code == status, body
    assert body["message"] and "Traceback" not in body["message"]
    return body


def token(offset: int, experiment_id: str) -> str:
    data = {"offset": offset, "query": _query_id(experiment_id, None, [])}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        (("experiments", HUGE, "keys"), {}, 404, "whole numbers from 0 to 9223372036854775807"),
        (("experiments", "\u00b9", "keys"), {}, 404, "not found"),
        (("experiments", "\u00b2", "runs"), {}, 404, "not found"),
        (("experiments", "1" * 23, "runs"), {}, 404, "whole numbers"),
        (("experiments", HUGE), {}, 404, "not found"),
        (("experiments", HUGE, "best-run"), {"metric": "accuracy"}, 404, "not found"),
        (("events",), {"after": HUGE}, 400, "must be an integer"),
        (("events",), {"after": "\u00b9"}, 400, "must be an integer"),
        (("events",), {"limit": "1_0"}, 400, "must be an integer"),
    ],
)
async def test_ids_and_numbers_no_store_holds_are_4xx(
    jp_fetch: Any,
    seeded: tuple[MlflowClient, str],
    path: tuple[str, ...],
    params: dict[str, str],
    status: int,
    says: str,
) -> None:
    body = await refused(jp_fetch, status, *path, **params)
    assert says in body["message"] + (body.get("hint") or "")


async def test_page_tokens_filters_and_sort_keys_beyond_the_database_are_400(
    jp_fetch: Any, seeded: tuple[MlflowClient, str]
) -> None:
    _, experiment_id = seeded
    runs = ("experiments", experiment_id, "runs")
    body = await refused(jp_fetch, 400, *runs, page_token=token(int(HUGE), experiment_id))
    assert body["message"] == "Invalid page token"
    body = await refused(jp_fetch, 400, *runs, filter=f"attributes.start_time < {HUGE}")
    assert "out of range" in body["message"] and "9223372036854775807" in body["message"]
    many = [f"params.p{i} ASC" for i in range(70)]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *runs, params=[("order_by", o) for o in many], method="GET")
    assert info.value.code == 400
    message = json.loads(info.value.response.body)["message"]
    assert message == f"order_by takes at most {MAX_ORDER_KEYS} sort keys, got 70"
    allowed = [f"params.p{i} ASC" for i in range(MAX_ORDER_KEYS)]  # the documented maximum still answers
    response = await jp_fetch(*API, *runs, params=[("order_by", o) for o in allowed], method="GET")
    assert json.loads(response.body)["total"] == 12


@pytest.mark.parametrize("order", ["datasets.name ASC", "datasets.digest DESC", "dataset.context ASC"])
async def test_dataset_sort_keys_are_refused_as_mlflow_refuses_them(
    jp_fetch: Any, seeded: tuple[MlflowClient, str], order: str
) -> None:
    client, experiment_id = seeded
    with pytest.raises(MlflowException, match="Invalid identifier type 'dataset'"):
        client.search_runs([experiment_id], order_by=[order])
    body = await refused(jp_fetch, 400, "experiments", experiment_id, "runs", order_by=order)
    assert "Invalid identifier type 'dataset'" in body["message"] and body["reason"] == "invalid_input"


@pytest.mark.parametrize(
    "query",
    [
        "params.n > '50'",
        "params.model >= 'x'",
        "tags.team < 'b'",
        "metrics.acc LIKE 0.5",
        "metrics.acc ILIKE 1",
        "attributes.status > 'A'",
        "attributes.run_name > 'm'",
        "attributes.start_time LIKE 5",
    ],
)
async def test_filters_mlflow_refuses_get_mlflows_400(
    jp_fetch: Any, seeded: tuple[MlflowClient, str], query: str
) -> None:
    client, experiment_id = seeded
    with pytest.raises(MlflowException) as mlflow_says:
        client.search_runs([experiment_id], query)
    body = await refused(jp_fetch, 400, "experiments", experiment_id, "runs", filter=query)
    assert mlflow_says.value.message in body["message"] and body["reason"] == "invalid_input"


async def test_a_long_value_is_not_echoed_back_whole(jp_fetch: Any, seeded: tuple[MlflowClient, str]) -> None:
    body = await refused(jp_fetch, 400, "events", after="7" * 5000)
    assert len(body["message"]) < 300 and "(5000 characters)" in body["message"]
    body = await refused(jp_fetch, 400, "experiments", view="v" * 5000)
    assert len(body["message"]) < 300
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, "comparisons", method="POST", body=json.dumps({"run_ids": ["r" * 5000, "x"]}))
    assert info.value.code == 404 and len(json.loads(info.value.response.body)["message"]) < 300


async def next_runs_changed(ws: Any, experiment_id: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "no RUNS_CHANGED within 10 s"
        event = json.loads(await asyncio.wait_for(ws.read_message(), timeout=left))
        if event["type"] == "RUNS_CHANGED" and event["subject"] == experiment_id:
            return event


async def test_live_refresh_sees_every_kind_of_change(
    jp_fetch: Any, jp_ws_fetch: Any, seeded: tuple[MlflowClient, str]
) -> None:
    client, experiment_id = seeded
    run = client.search_runs([experiment_id], order_by=["attributes.start_time ASC"])[0]
    run_id, name = run.info.run_id, run.info.run_name
    client.set_tag(run_id, "note", "aaaa")
    ws = await jp_ws_fetch(*API, "events", "stream")
    await asyncio.sleep(0.8)  # the watcher takes its first fingerprint
    with pytest.raises(asyncio.TimeoutError):  # and nothing changed: nothing is announced
        await asyncio.wait_for(ws.read_message(), timeout=1.0)
    changes = [
        lambda: client.update_run(run_id, name=name[::-1]),  # a rename to a name of the same length
        lambda: client.log_param(run_id, "added_later", "1"),  # a new param on an existing run
        lambda: client.set_tag(run_id, "note", "bbbb"),  # a tag value of the same length
        lambda: client.log_batch(run_id, metrics=[Metric("accuracy", 0.1, 1, 0)]),  # an earlier timestamp
        lambda: client.update_run(run_id, status="FAILED"),  # FINISHED -> FAILED, end time unchanged
    ]
    for change in changes:
        change()
        await next_runs_changed(ws, experiment_id)
    ws.close()
    assert client.get_run(run_id).info.status == "FAILED"
