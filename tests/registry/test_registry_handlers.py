"""Registry REST handlers through a real jupyter-server over the real MLflow SQLite store."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from mlflow.tracking import MlflowClient
from tornado.httpclient import HTTPClientError

from matih_workbench.services import Workbench

from .conftest import holdout_frame, make_run

API = ("matih", "api", "v1")


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: Any) -> Any:
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    response = await jp_fetch(*API, *path, **kwargs)
    return json.loads(response.body)


async def error(jp_fetch: Any, code: int, method: str, *path: str, body: Any = None, **params: Any) -> Any:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, method, *path, body=body, **params)
    assert info.value.code == code
    payload = json.loads(info.value.response.body)
    assert payload["message"] and "Traceback" not in payload["message"]
    return payload


async def test_register_promote_approve_over_rest(
    jp_fetch: Any, workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    run_id = make_run(client, {"auc": 0.91, "latency_ms": 9.0}, holdout=holdout_frame())
    response = await jp_fetch(
        *API, "models", method="POST", body=json.dumps({"run_id": run_id, "name": "churn"})
    )
    assert response.code == 201 and response.headers["Location"].endswith(
        "/matih/api/v1/models/churn/versions/1"
    )
    created = json.loads(response.body)
    assert created["version"] == 1 and created["stage"] == "Development" and created["registered_by"] == "sam"
    await call(jp_fetch, "PUT", "models", "churn", "thresholds", body={"thresholds": ["auc >= 0.85"]})
    checks = await call(jp_fetch, "GET", "models", "churn", "versions", "1", "checks", stage="Staging")
    assert checks["allowed"] is True and checks["checks"][0]["passed"] is True
    staged = await call(
        jp_fetch, "POST", "models", "churn", "versions", "1", "transitions", body={"stage": "Staging"}
    )
    assert staged["status"] == "done" and staged["version"]["stage"] == "Staging"
    pending = await call(
        jp_fetch,
        "POST",
        "models",
        "churn",
        "versions",
        "1",
        "transitions",
        body={"stage": "Production", "reason": "go"},
    )
    assert pending["status"] == "pending_approval"
    request_id = pending["request"]["id"]
    assert pending["request"]["evidence"]["card"]["primary_metric"]["name"] == "auc"
    listed = await call(jp_fetch, "GET", "promotions")
    assert [r["id"] for r in listed["requests"]] == [request_id]
    assert (await call(jp_fetch, "GET", "promotions", actionable="true"))["requests"] == []  # sam asked
    refused = await error(
        jp_fetch, 403, "POST", "promotions", request_id, "decision", body={"decision": "approve"}
    )
    assert refused["reason"] == "forbidden" and refused["hint"]
    as_user("lead").registry.promotions()  # a lead in another process decides...
    from matih_workbench.models import Decision

    as_user("lead").registry.decide(request_id, Decision(decision="approve", comment="fine"))
    detail = await call(jp_fetch, "GET", "models", "churn")
    assert detail["production_version"] == 1 and detail["versions"][0]["stage"] == "Production"
    history = await call(jp_fetch, "GET", "models", "churn", "history")
    assert [h["type"] for h in history["history"]][-1] == "MODEL_PROMOTED"
    assert history["history"][-1]["user"] == "lead"
    decided = await call(jp_fetch, "GET", "promotions", request_id, "decision")
    assert decided["status"] == "approved" and decided["decided_by"] == "lead"
    version_history = await call(jp_fetch, "GET", "models", "churn", "versions", "1", "transitions")
    assert len(version_history["history"]) == 4


async def test_cards_and_lineage_over_rest(jp_fetch: Any, client: MlflowClient) -> None:
    run_id = make_run(client, {"auc": 0.91}, holdout=holdout_frame(), datasets=[("churn-train", "d1g35t")])
    await call(jp_fetch, "POST", "models", body={"run_id": run_id, "name": "churn"})
    card = await call(
        jp_fetch, "GET", "models", "churn", "versions", "1", "card", protected_attribute="group"
    )
    assert (
        card["primary_metric"]["ci_low"]
        < card["primary_metric"]["holdout_value"]
        < card["primary_metric"]["ci_high"]
    )
    assert [g["group"] for g in card["fairness"]["groups"]] == ["a", "b"]
    edited = await call(
        jp_fetch, "PATCH", "models", "churn", "versions", "1", "card", body={"limitations": "Not for minors."}
    )
    assert edited["limitations"] == "Not for minors."
    response = await jp_fetch(*API, "models", "churn", "versions", "1", "card", params={"format": "markdown"})
    assert response.headers["Content-Type"].startswith("text/markdown")
    assert "Not for minors." in response.body.decode() and "churn-train" in response.body.decode()
    response = await jp_fetch(*API, "models", "churn", "versions", "1", "card", params={"format": "html"})
    assert response.body.decode().startswith("<!DOCTYPE html>")
    lineage = await call(jp_fetch, "GET", "models", "churn", "versions", "1", "lineage")
    assert lineage["datasets"][0]["digest"] == "d1g35t" and lineage["run_id"] == run_id
    used = await call(jp_fetch, "GET", "lineage", "datasets", name="churn-train")
    assert [(v["name"], v["version"]) for v in used["versions"]] == [("churn", 1)]


async def test_registry_errors_are_4xx(jp_fetch: Any, client: MlflowClient) -> None:
    await error(jp_fetch, 404, "GET", "models", "nope")
    await error(jp_fetch, 404, "GET", "models", "nope", "history")
    run_id = make_run(client, {"auc": 0.7})
    await call(jp_fetch, "POST", "models", body={"run_id": run_id, "name": "churn"})
    await error(jp_fetch, 404, "GET", "models", "churn", "versions", "7")
    await error(jp_fetch, 404, "GET", "models", "churn", "versions", "seven")
    await error(jp_fetch, 404, "GET", "promotions", "nope")
    await error(jp_fetch, 400, "POST", "models", body={"name": "churn"})
    await error(jp_fetch, 400, "PUT", "models", "churn", "thresholds", body={"thresholds": ["auc >>= 1"]})
    await error(
        jp_fetch, 400, "POST", "models", "churn", "versions", "1", "transitions", body={"stage": "Prod"}
    )
    await error(jp_fetch, 400, "GET", "models", "churn", "versions", "1", "checks", stage="Prod")
    await error(jp_fetch, 400, "GET", "models", "churn", "versions", "1", "card", format="pdf")
    await error(jp_fetch, 400, "GET", "lineage", "datasets")
    await error(jp_fetch, 400, "GET", "promotions", status="maybe")
    await call(jp_fetch, "PUT", "models", "churn", "thresholds", body={"thresholds": ["auc >= 0.85"]})
    refused = await error(
        jp_fetch, 409, "POST", "models", "churn", "versions", "1", "transitions", body={"stage": "Staging"}
    )
    assert refused["details"]["checks"][0] == {
        "metric": "auc",
        "op": ">=",
        "threshold": 0.85,
        "value": 0.7,
        "baseline": None,
        "passed": False,
        "blocking": True,
        "message": "auc = 0.7 (needs >= 0.85)",
    }
    await error(
        jp_fetch, 409, "POST", "models", "churn", "versions", "1", "transitions", body={"stage": "Production"}
    )
    version = await call(jp_fetch, "GET", "models", "churn", "versions", "1")
    assert version["stage"] == "Development"
