"""The features REST API through a real jupyter-server (pytest-jupyter) on the session's repository."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tornado.httpclient import HTTPClientError

from tests.features.conftest import HOURLY_VIEW, PROFILE_VIEW, SERVICE

API = ("matih", "api", "v1")


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if body is not None:
        kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
    try:
        response = await jp_fetch(*API, *path, **kwargs)
    except HTTPClientError as exc:
        assert exc.response is not None
        return exc.code, json.loads(exc.response.body)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.code, json.loads(response.body)


async def test_list_materialize_check_rows(jp_fetch: Any) -> None:
    code, overview = await call(jp_fetch, "GET", "features")
    assert code == 200 and [v["name"] for v in overview["views"]] == [HOURLY_VIEW, PROFILE_VIEW]
    assert overview["services"][0]["name"] == SERVICE and overview["online_store"] == "sqlite"

    code, job = await call(jp_fetch, "POST", "features", "materializations", body={"views": [PROFILE_VIEW]})
    assert code == 202 and job["status"] == "RUNNING" and job["views"] == [PROFILE_VIEW]
    for _ in range(600):
        code, job = await call(jp_fetch, "GET", "features", "materializations", job["id"])
        if job["status"] != "RUNNING":
            break
        await asyncio.sleep(0.1)
    assert code == 200 and job["status"] == "SUCCEEDED" and job["progress"] == 1.0

    code, report = await call(jp_fetch, "GET", "features", "check", sample="4", view=PROFILE_VIEW)
    assert code == 200 and report["consistent"] is True
    assert [(v["view"], v["entities"]) for v in report["views"]] == [(PROFILE_VIEW, 4)]

    code, rows = await call(jp_fetch, "GET", "features", "views", HOURLY_VIEW, "rows", limit="2")
    assert code == 200 and len(rows["rows"]) == 2 and rows["columns"][0] == "driver_id"


#: (method, path, body, query, status, part of the message): each refused with {message, reason} JSON
BAD = [
    ("POST", ("features", "materializations"), {"views": ["nope"]}, {}, 404, "No online feature view nope"),
    (
        "POST",
        ("features", "materializations"),
        {"end": "not a time"},
        {},
        400,
        "Invalid request body at 'end'",
    ),
    ("POST", ("features", "materializations"), "{oops", {}, 400, "not valid JSON"),
    ("POST", ("features", "materializations"), {"end": "2999-01-01T00:00:00Z"}, {}, 400, "in the future"),
    ("GET", ("features", "materializations", "nope"), None, {}, 404, "No materialization job 'nope'"),
    ("GET", ("features", "check"), None, {"sample": "many"}, 400, "'sample' must be an integer"),
    ("GET", ("features", "check"), None, {"sample": "0"}, 400, "sample must be between"),
    ("GET", ("features", "check"), None, {"view": "nope"}, 404, "Unknown online feature view"),
    ("GET", ("features", "views", "nope", "rows"), None, {}, 404, "Unknown feature view 'nope'"),
    ("GET", ("features", "views", HOURLY_VIEW, "rows"), None, {"limit": "0"}, 400, "limit must be"),
]


async def test_versions_trained_on_a_feature_view(jp_fetch: Any) -> None:
    code, answer = await call(jp_fetch, "GET", "lineage", "feature-views", HOURLY_VIEW)
    assert code == 200 and answer == {
        "kind": "feature_view",
        "dataset": HOURLY_VIEW,
        "digest": None,
        "versions": [],
    }


async def test_bad_input_is_answered_4xx_json(jp_fetch: Any) -> None:
    for method, path, body, params, status, message in BAD:
        code, answer = await call(jp_fetch, method, *path, body=body, **params)
        assert code == status and message in answer["message"], (path, answer)
        assert set(answer) >= {"message", "reason"} and "Traceback" not in answer["message"]
