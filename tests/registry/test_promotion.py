"""Governed promotion on a real MLflow registry (SQLite store): stages, checks, approvals, archiving."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.errors import Conflict, Forbidden, InvalidInput, NotFound
from matih_workbench.models import Decision, ModelStage
from matih_workbench.services import Workbench

from .conftest import make_run

S = ModelStage


def _production(wb: Workbench, client: MlflowClient, name: str, version: int, approver: Workbench) -> None:
    """Staging, then an approved request for Production."""
    wb.registry.transition(name, version, S.STAGING)
    result = wb.registry.transition(name, version, S.PRODUCTION, reason="better")
    assert result.request is not None
    approver.registry.decide(result.request.id, Decision(decision="approve", comment="ok"))


def test_register_starts_in_development(workbench: Workbench, client: MlflowClient) -> None:
    run_id = make_run(client, {"auc": 0.9})
    info = workbench.registry.register(run_id, "churn", description="first")
    assert (info.version, info.stage, info.run_id) == (1, S.DEVELOPMENT, run_id)
    assert info.registered_by == workbench.config.user and info.description == "first"
    version = client.get_model_version("churn", "1")
    assert version.tags["matih.stage"] == "Development" and version.run_id == run_id
    detail = workbench.registry.get_model("churn")
    assert detail.owners == [workbench.config.user] and detail.latest_version == 1
    assert [m.name for m in workbench.registry.list_models().models] == ["churn"]


def test_register_refuses_bad_input(workbench: Workbench, client: MlflowClient) -> None:
    with pytest.raises(NotFound):
        workbench.registry.register("0" * 32, "churn")
    no_model = make_run(client, {"auc": 0.9}, log_model=False)
    with pytest.raises(NotFound, match="no logged model"):
        workbench.registry.register(no_model, "churn")
    with pytest.raises(InvalidInput):
        workbench.registry.register(no_model, "a/b")
    assert client.search_registered_models() == []


def test_staging_needs_thresholds_and_lists_failures(workbench: Workbench, client: MlflowClient) -> None:
    weak = make_run(client, {"auc": 0.80, "latency_ms": 25.0})
    workbench.registry.register(weak, "churn")
    workbench.registry.set_thresholds("churn", ["auc >= 0.85", "latency_ms <= 20", "f1 >= 0.5"])
    report = workbench.registry.checks("churn", 1, S.STAGING)
    assert not report.allowed and [c.passed for c in report.checks] == [False, False, False]
    with pytest.raises(Conflict) as info:
        workbench.registry.transition("churn", 1, S.STAGING)
    checks = info.value.details["checks"]  # type: ignore[index]
    assert [(c["metric"], c["value"], c["threshold"]) for c in checks] == [
        ("auc", 0.80, 0.85),
        ("latency_ms", 25.0, 20.0),
        ("f1", None, 0.5),
    ]
    assert "auc = 0.8 (needs >= 0.85)" in info.value.message
    assert workbench.registry.get_version("churn", 1).stage is S.DEVELOPMENT
    good = make_run(client, {"auc": 0.9, "latency_ms": 12.0, "f1": 0.7})
    workbench.registry.register(good, "churn")
    done = workbench.registry.transition("churn", 2, S.STAGING)
    assert done.status == "done" and done.version.stage is S.STAGING and all(c.passed for c in done.checks)
    assert int(client.get_model_version_by_alias("churn", "staging").version) == 2


def test_malformed_thresholds_change_nothing(workbench: Workbench, client: MlflowClient) -> None:
    workbench.registry.register(make_run(client, {"auc": 0.9}), "churn")
    workbench.registry.set_thresholds("churn", ["auc >= 0.85"])
    for bad in (
        ["auc >> 0.9"],
        ["auc >= nan"],
        ["auc >= 1", "auc >= 2"],
        ["auc not_worse_than_production_by -1"],
    ):
        with pytest.raises(InvalidInput):
            workbench.registry.set_thresholds("churn", bad)
    assert [t.expression for t in workbench.registry.thresholds("churn").thresholds] == ["auc >= 0.85"]


def test_production_needs_approval_by_owner_or_lead(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, bob, lead = as_user("alice"), as_user("bob"), as_user("lead")
    alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    alice.registry.transition("churn", 1, S.STAGING)
    with pytest.raises(Conflict, match="No transition from Development"):
        alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
        alice.registry.transition("churn", 2, S.PRODUCTION)
    result = alice.registry.transition("churn", 1, S.PRODUCTION, reason="ship it")
    assert result.status == "pending_approval" and result.request is not None
    request = result.request
    assert (request.requested_by, request.status, request.reason) == ("alice", "pending", "ship it")
    assert request.evidence.card is not None and request.evidence.card.version == 1
    assert result.version.stage is S.STAGING and result.version.pending_request_id == request.id
    with pytest.raises(Conflict, match="already has a pending"):
        alice.registry.transition("churn", 1, S.PRODUCTION)
    with pytest.raises(Forbidden, match="bob may not approve"):
        bob.registry.decide(request.id, Decision(decision="approve"))
    with pytest.raises(Forbidden, match="cannot approve"):
        alice.registry.decide(request.id, Decision(decision="approve"))
    assert [r.id for r in lead.registry.promotions(actionable=True).requests] == [request.id]
    assert bob.registry.promotions(actionable=True).requests == []
    decided = lead.registry.decide(request.id, Decision(decision="approve", comment="looks good"))
    assert decided.request.status == "approved" and decided.request.decided_by == "lead"
    assert decided.transition is not None and decided.transition.version.stage is S.PRODUCTION
    assert int(client.get_model_version_by_alias("churn", "production").version) == 1
    assert "staging" not in client.get_registered_model("churn").aliases
    with pytest.raises(Conflict, match="already approved"):
        lead.registry.decide(request.id, Decision(decision="reject"))


def test_self_approval_when_config_allows(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    solo = as_user("solo", allow_self_approval=True)
    solo.registry.register(make_run(client, {"auc": 0.9}), "churn")
    _production(solo, client, "churn", 1, solo)
    assert solo.registry.get_version("churn", 1).stage is S.PRODUCTION


def test_group_lead_approves(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice = as_user("alice")
    carol = as_user("carol", registry_lead_groups=["ml-leads"], user_groups=["ml-leads"])
    alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    _production(alice, client, "churn", 1, carol)
    assert alice.registry.get_model("churn").production_version == 1


def test_rejection_keeps_the_stage(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, lead = as_user("alice"), as_user("lead")
    alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    alice.registry.transition("churn", 1, S.STAGING)
    request = alice.registry.transition("churn", 1, S.PRODUCTION).request
    assert request is not None
    rejected = lead.registry.decide(request.id, Decision(decision="reject", comment="needs more data"))
    assert rejected.request.status == "rejected" and rejected.request.comment == "needs more data"
    version = alice.registry.get_version("churn", 1)
    assert version.stage is S.STAGING and version.pending_request_id is None
    assert "production" not in client.get_registered_model("churn").aliases
    with pytest.raises(NotFound):
        lead.registry.decide("nope", Decision(decision="approve"))


def test_replaced_production_is_archived_and_rollback(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, lead = as_user("alice"), as_user("lead")
    for auc in (0.90, 0.92):
        alice.registry.register(make_run(client, {"auc": auc}), "churn")
    alice.registry.set_thresholds("churn", ["auc not_worse_than_production_by 0.01"])
    _production(alice, client, "churn", 1, lead)
    _production(alice, client, "churn", 2, lead)
    stages = {v.version: v.stage for v in alice.registry.get_model("churn").versions}
    assert stages == {1: S.ARCHIVED, 2: S.PRODUCTION}
    # Rollback: the Archived version 1 goes back through a request; worse than Production is reported only.
    report = alice.registry.checks("churn", 1, S.PRODUCTION)
    assert report.allowed and report.checks[0].passed is False and report.checks[0].blocking is False
    request = alice.registry.transition("churn", 1, S.PRODUCTION, reason="rollback").request
    assert request is not None and request.from_stage is S.ARCHIVED
    result = lead.registry.decide(request.id, Decision(decision="approve", comment="rollback"))
    assert result.transition is not None and result.transition.archived == [2]
    stages = {v.version: v.stage for v in alice.registry.get_model("churn").versions}
    assert stages == {1: S.PRODUCTION, 2: S.ARCHIVED}
    assert int(client.get_model_version_by_alias("churn", "production").version) == 1


def test_relative_threshold_blocks_staging(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, lead = as_user("alice"), as_user("lead")
    alice.registry.register(make_run(client, {"auc": 0.90, "latency_ms": 10.0}), "churn")
    _production(alice, client, "churn", 1, lead)
    alice.registry.set_thresholds(
        "churn", ["auc not_worse_than_production_by 0.02", "latency_ms not_worse_than_production_by 5"]
    )
    alice.registry.register(make_run(client, {"auc": 0.87, "latency_ms": 14.0}), "churn")
    with pytest.raises(Conflict) as info:
        alice.registry.transition("churn", 2, S.STAGING)
    failing = [c for c in info.value.details["checks"] if not c["passed"]]  # type: ignore[index]
    assert [(c["metric"], c["baseline"]) for c in failing] == [("auc", 0.90)]
    report = alice.registry.checks("churn", 2, S.STAGING)
    deltas = {d.metric: d.delta for d in report.metric_deltas}
    assert deltas["auc"] == pytest.approx(-0.03) and deltas["latency_ms"] == pytest.approx(4.0)


def test_archiving_production_needs_a_governor(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, bob, lead = as_user("alice"), as_user("bob"), as_user("lead")
    alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    _production(alice, client, "churn", 1, lead)
    with pytest.raises(Forbidden):
        bob.registry.transition("churn", 1, S.ARCHIVED)
    with pytest.raises(Conflict, match="already in Production"):
        alice.registry.transition("churn", 1, S.PRODUCTION)
    done = alice.registry.transition("churn", 1, S.ARCHIVED, reason="retired")
    assert done.version.stage is S.ARCHIVED
    assert "production" not in client.get_registered_model("churn").aliases
    with pytest.raises(NotFound):
        alice.registry.transition("churn", 9, S.STAGING)
    with pytest.raises(NotFound):
        alice.registry.get_model("nope")


def test_history_and_events(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, lead = as_user("alice"), as_user("lead")
    for _ in range(2):
        alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    _production(alice, client, "churn", 1, lead)
    alice.registry.transition("churn", 2, S.STAGING)
    rejected = alice.registry.transition("churn", 2, S.PRODUCTION).request
    assert rejected is not None
    lead.registry.decide(rejected.id, Decision(decision="reject", comment="no"))
    request = alice.registry.transition("churn", 2, S.PRODUCTION).request
    assert request is not None
    lead.registry.decide(request.id, Decision(decision="approve", comment="yes"))
    history = workbench.registry.history("churn").history
    steps = [(r.type, r.version, r.user, r.to_stage) for r in history]
    assert steps == [
        ("MODEL_REGISTERED", 1, "alice", "Development"),
        ("MODEL_REGISTERED", 2, "alice", "Development"),
        ("MODEL_PROMOTED", 1, "alice", "Staging"),
        ("MODEL_PROMOTION_REQUESTED", 1, "alice", "Production"),
        ("MODEL_PROMOTED", 1, "lead", "Production"),
        ("MODEL_PROMOTED", 2, "alice", "Staging"),
        ("MODEL_PROMOTION_REQUESTED", 2, "alice", "Production"),
        ("MODEL_PROMOTION_REJECTED", 2, "lead", "Production"),
        ("MODEL_PROMOTION_REQUESTED", 2, "alice", "Production"),
        ("MODEL_ARCHIVED", 1, "lead", "Archived"),
        ("MODEL_PROMOTED", 2, "lead", "Production"),
    ]
    assert all(b.time >= a.time for a, b in itertools.pairwise(history))
    assert history[-1].comment == "yes" and history[-1].request_id == request.id
    events = workbench.events.list(subject="churn").events
    assert [e.type.value for e in events] == [s[0] for s in steps]
    assert [r.type for r in workbench.registry.history("churn", 2).history][-1] == "MODEL_PROMOTED"


def test_names_with_quotes_and_aliases_moved_by_plain_clients(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    alice, lead = as_user("alice"), as_user("lead")
    for name in ("it's", 'say "hi"', "both ' and \""):
        alice.registry.register(make_run(client, {"auc": 0.9}), name)
        assert [v.version for v in alice.registry.get_model(name).versions] == [1]
    for _ in range(2):
        alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
    _production(alice, client, "churn", 1, lead)
    client.set_registered_model_alias("churn", "production", "2")  # a plain MLflow client
    stages = {v.version: v.stage for v in alice.registry.get_model("churn").versions}
    assert stages == {1: S.ARCHIVED, 2: S.PRODUCTION}
