"""The registry routes as a careless or hostile user drives them, through a real jupyter-server (acting as
``sam``, not a lead) over the real MLflow store: a refused request changes nothing, governance reads the
evidence recorded at registration, card edits have owners and a history, free text has one limit, headers
and Markdown carry user text safely."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any

import pytest
from mlflow.tracking import MlflowClient
from tornado.httpclient import HTTPClientError

from matih_workbench.errors import InvalidInput
from matih_workbench.models import Decision, ModelCardUpdate, ModelStage
from matih_workbench.models.common import MAX_TEXT
from matih_workbench.services import Workbench

from .conftest import holdout_frame, make_run

API = ("matih", "api", "v1")
HUGE = "99999999999999999999"


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: Any) -> Any:
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return json.loads((await jp_fetch(*API, *path, **kwargs)).body)


async def error(jp_fetch: Any, code: int, method: str, *path: str, body: Any = None, **params: Any) -> Any:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, method, *path, body=body, **params)
    payload = json.loads(info.value.response.body)
    assert info.value.code == code, payload
    assert payload["message"] and "Traceback" not in payload["message"]
    return payload


async def register(jp_fetch: Any, client: MlflowClient, name: str = "churn", **run: Any) -> str:
    run_id = make_run(client, **run)
    await call(jp_fetch, "POST", "models", body={"run_id": run_id, "name": name})
    return run_id


def card_edits(history: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in history["history"] if h["type"] == "MODEL_CARD_EDITED"]


async def test_an_invalid_card_edit_answers_400_and_saves_nothing(
    jp_fetch: Any, client: MlflowClient
) -> None:
    await register(jp_fetch, client, metrics={"auc": 0.9}, holdout=holdout_frame())
    card = ("models", "churn", "versions", "1", "card")
    body = await error(
        jp_fetch, 400, "PATCH", *card, body={"protected_attribute": "nope", "limitations": "x"}
    )
    assert "'nope' is not a column" in body["message"] and "group" in body["hint"]
    body = await error(jp_fetch, 400, "PATCH", *card, body={"primary_metric": "nope"})
    assert "'nope' is not a metric" in body["message"] and "auc" in body["hint"]
    read = await call(jp_fetch, "GET", *card)  # still answers, for everyone, unchanged
    assert read["limitations"] is None and read["fairness"] is None and read["problems"] == []
    assert read["primary_metric"]["name"] == "auc"
    assert card_edits(await call(jp_fetch, "GET", "models", "churn", "history")) == []
    edited = await call(jp_fetch, "PATCH", *card, body={"protected_attribute": "group"})
    assert [g["group"] for g in edited["fairness"]["groups"]] == ["a", "b"]


async def test_a_card_whose_stored_values_cannot_be_used_renders_with_the_problems(
    jp_fetch: Any, client: MlflowClient
) -> None:
    run_id = await register(jp_fetch, client, metrics={"auc": 0.9}, holdout=holdout_frame())
    client.set_model_version_tag("churn", "1", "matih.card.protected_attribute", "nope")  # an older store
    card = await call(jp_fetch, "GET", "models", "churn", "versions", "1", "card")
    assert card["fairness"] is None and card["primary_metric"]["ci_low"] is not None
    assert any("'nope' is not a column" in p for p in card["problems"])
    markdown = await jp_fetch(*API, "models", "churn", "versions", "1", "card", params={"format": "markdown"})
    assert "## Problems" in markdown.body.decode()
    client.log_text(run_id, "y_true,y_score\nnot,numbers\n", "holdout_predictions.csv")  # replaced, unusable
    card = await call(jp_fetch, "GET", "models", "churn", "versions", "1", "card")
    assert card["holdout_rows"] is None and any("cannot be used" in p for p in card["problems"])


async def test_checks_read_the_metrics_recorded_at_registration(
    jp_fetch: Any, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    run_id = await register(jp_fetch, client, metrics={"auc": 0.7})
    await call(jp_fetch, "PUT", "models", "churn", "thresholds", body={"thresholds": ["auc >= 0.85"]})
    client.log_metric(run_id, "auc", 0.95)  # logged after registration: not evidence
    version = ("models", "churn", "versions", "1")
    refused = await error(jp_fetch, 409, "POST", *version, "transitions", body={"stage": "Staging"})
    assert refused["details"]["checks"][0]["value"] == 0.7
    checks = await call(jp_fetch, "GET", *version, "checks", stage="Staging")
    assert checks["allowed"] is False and checks["checks"][0]["value"] == 0.7
    card = await call(jp_fetch, "GET", *version, "card")
    assert card["evidence_metrics"] == {"auc": 0.7} and card["evidence_recorded_at"] > 0
    assert (await call(jp_fetch, "GET", *version))["stage"] == "Development"

    good = await register(jp_fetch, client, metrics={"auc": 0.9})
    await call(jp_fetch, "POST", "models", "churn", "versions", "2", "transitions", body={"stage": "Staging"})
    request = await call(
        jp_fetch, "POST", "models", "churn", "versions", "2", "transitions", body={"stage": "Production"}
    )
    client.log_metric(good, "auc", 0.5)  # a later, worse value cannot fail (or pass) the approval either
    as_user("lead").registry.decide(request["request"]["id"], Decision(decision="approve"))
    decided = await call(jp_fetch, "GET", "promotions", request["request"]["id"])
    assert decided["status"] == "approved"
    assert [(c["metric"], c["value"], c["passed"]) for c in decided["decision_checks"]] == [
        ("auc", 0.9, True)
    ]


async def test_only_owners_leads_and_editor_groups_edit_a_card_and_each_edit_is_history(
    jp_fetch: Any, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice = as_user("alice")
    alice.registry.register(make_run(client, {"auc": 0.9}), "churn")  # alice owns it; sam does not
    card = ("models", "churn", "versions", "1", "card")
    body = await error(jp_fetch, 403, "PATCH", *card, body={"limitations": "sam was here"})
    assert body["message"] == "sam may not edit the card of 'churn'" and "alice" in body["hint"]
    assert (await call(jp_fetch, "GET", *card))["limitations"] is None
    alice.cards.update("churn", 1, ModelCardUpdate(limitations="Not for minors."))
    as_user("lead").cards.update(
        "churn", 1, ModelCardUpdate(limitations="Adults only.", intended_use="Churn")
    )
    writer = as_user("carol", user_groups=["writers"], card_editor_groups=["writers"])
    writer.cards.update("churn", 1, ModelCardUpdate(intended_use=""))
    edits = card_edits(await call(jp_fetch, "GET", "models", "churn", "history"))
    assert [(e["user"], e["version"]) for e in edits] == [("alice", 1), ("lead", 1), ("carol", 1)]
    assert edits[1]["changes"] == {
        "intended_use": {"old": None, "new": "Churn"},
        "limitations": {"old": "Not for minors.", "new": "Adults only."},
    }
    assert edits[2]["changes"] == {"intended_use": {"old": "Churn", "new": None}}
    assert edits[0]["time"] <= edits[1]["time"] <= edits[2]["time"]
    read = await call(jp_fetch, "GET", *card)
    assert (read["limitations"], read["intended_use"]) == ("Adults only.", None)
    assert [h["type"] for h in read["history"]].count("MODEL_CARD_EDITED") == 3


async def test_every_free_text_field_has_one_limit(
    jp_fetch: Any, client: MlflowClient, workbench: Workbench
) -> None:
    long = "x" * (MAX_TEXT + 1)
    await error(
        jp_fetch, 400, "POST", "models", body={"run_id": make_run(client), "name": "m", "description": long}
    )
    await register(jp_fetch, client, metrics={"auc": 0.9})
    version = ("models", "churn", "versions", "1")
    await call(jp_fetch, "POST", *version, "transitions", body={"stage": "Staging"})
    body = await error(
        jp_fetch, 400, "POST", *version, "transitions", body={"stage": "Production", "reason": long}
    )
    assert "at most 5000" in body["message"] and len(body["message"]) < 300
    await error(jp_fetch, 400, "PATCH", *version, "card", body={"limitations": long})
    request = await call(
        jp_fetch, "POST", *version, "transitions", body={"stage": "Production", "reason": "ok"}
    )
    decision = ("promotions", request["request"]["id"], "decision")
    await error(jp_fetch, 400, "POST", *decision, body={"decision": "reject", "comment": long})
    assert (await call(jp_fetch, "GET", "promotions"))["requests"][0]["status"] == "pending"
    with pytest.raises(InvalidInput, match="at most 5000"):  # the service keeps the rule for kernels too
        workbench.registry.transition("churn", 1, ModelStage.ARCHIVED, reason=long)
    events = await call(jp_fetch, "GET", "events", after=0, limit=1000)
    assert max(len(json.dumps(e)) for e in events["events"]) < 2 * MAX_TEXT


@pytest.mark.parametrize("name", ['q"; x=".html', "two\nlines", "naïve model"])
async def test_card_downloads_name_any_model_safely(
    jp_fetch: Any, client: MlflowClient, workbench: Workbench, name: str
) -> None:
    workbench.registry.register(make_run(client, {"auc": 0.9}), name)
    response = await jp_fetch(
        *API, "models", name, "versions", "1", "card", params={"format": "html", "download": "1"}
    )
    header = response.headers["Content-Disposition"]
    assert "\n" not in header and header.isascii()
    parsed = Message()
    parsed["Content-Disposition"] = header
    params = parsed.get_params(header="content-disposition") or []
    # the ASCII fallback, then filename* (RFC 5987, which email decodes as RFC 2231): nothing injected
    assert [key for key, _ in params] == ["attachment", "filename", "filename"]
    assert params[1][1].isascii() and '"' not in params[1][1]
    assert collapse_rfc2231_value(params[2][1]) == f"{name}-v1-card.html"


@pytest.mark.parametrize("tail", [(), ("card",), ("checks",), ("lineage",), ("transitions",)])
async def test_versions_no_store_holds_are_404(
    jp_fetch: Any, client: MlflowClient, tail: tuple[str, ...]
) -> None:
    await register(jp_fetch, client, metrics={"auc": 0.9})
    body = await error(jp_fetch, 404, "GET", "models", "churn", "versions", HUGE, *tail)
    assert body["reason"] == "not_found" and "whole numbers" in body["hint"]
    await error(jp_fetch, 404, "GET", "models", "churn", "versions", "\u00b9", *tail)


async def test_markdown_cards_escape_what_users_wrote(jp_fetch: Any, client: MlflowClient) -> None:
    await register(jp_fetch, client, metrics={"auc": 0.9})
    hostile = {
        "description": "<img src=x onerror=alert(1)>",
        "intended_use": "[click me](javascript:alert(1)) and ![i](https://x.test/i.png)",
        "limitations": "<script>alert(1)</script>\n# Not a heading\n- not a list",
    }
    await call(jp_fetch, "PATCH", "models", "churn", "versions", "1", "card", body=hostile)
    response = await jp_fetch(*API, "models", "churn", "versions", "1", "card", params={"format": "markdown"})
    text = response.body.decode()
    for raw in ("<img", "<script", "![i]", "\n# Not", "\n- not"):
        assert raw not in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no "](" left to make a link
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "\\[click me\\](javascript:alert(1))" in text


async def test_long_ids_are_not_echoed_back_whole(jp_fetch: Any, client: MlflowClient) -> None:
    body = await error(jp_fetch, 404, "GET", "promotions", "p" * 5000)
    assert len(body["message"]) < 300 and "(5000 characters)" in body["message"]
    body = await error(jp_fetch, 400, "GET", "models", "m", "versions", "1", "card", format="f" * 5000)
    assert len(body["message"]) < 300
