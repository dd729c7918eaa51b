"""The registry magics through a real InteractiveShell over the real MLflow store."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.tracking import MlflowClient

from matih_workbench.widgets.registry import (
    ChecksView,
    DatasetVersionsView,
    DecisionView,
    HistoryView,
    LineageView,
    ModelCardView,
    ModelsTable,
    ModelView,
    RequestsView,
    ThresholdsView,
    TransitionView,
    VersionView,
)

from .conftest import holdout_frame, make_run


def matih(shell: InteractiveShell, line: str) -> object:
    return shell.run_line_magic("matih", line)


def test_register_promote_approve_card(shell: InteractiveShell, matih_home: Path, tmp_path: Path) -> None:
    uri = f"sqlite:///{matih_home / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    matih(shell, "models")  # creates the store
    run_id = make_run(client, {"auc": 0.9}, holdout=holdout_frame(), datasets=[("churn-train", "abc123")])
    registered = matih(shell, f"register {run_id} --name churn -d 'first try'")
    assert isinstance(registered, VersionView) and registered.version.version == 1
    assert isinstance(matih(shell, "models"), ModelsTable)
    assert isinstance(matih(shell, "thresholds churn 'auc >= 0.95'"), ThresholdsView)
    checks = matih(shell, "checks churn 1 --stage staging")
    assert isinstance(checks, ChecksView) and "refused" in checks.caption
    with pytest.raises(UsageError, match=r"auc = 0.9 \(needs >= 0.95\).*Hint"):
        matih(shell, "promote churn 1 Staging")
    matih(shell, "thresholds churn 'auc >= 0.85'")
    staged = matih(shell, "promote churn 1 staging --reason 'passes'")
    assert isinstance(staged, TransitionView) and staged.result.version.stage.value == "Staging"
    requested = matih(shell, "promote churn 1 Production -r 'ship it'")
    assert isinstance(requested, TransitionView) and requested.result.request is not None
    request_id = requested.result.request.id
    assert f"%matih approve {request_id}" in requested._repr_html_()
    with pytest.raises(UsageError, match="cannot approve"):
        matih(shell, f"approve {request_id}")
    listed = matih(shell, "promotions")
    assert isinstance(listed, RequestsView) and list(listed.to_pandas()["id"]) == [request_id]
    shell.run_line_magic("config", "WorkbenchConfig.user = 'lead'")
    shell.run_line_magic("config", "WorkbenchConfig.registry_leads = ['lead']")
    assert list(matih(shell, "promotions --mine").to_pandas()["id"]) == [request_id]  # type: ignore[attr-defined]
    approved = matih(shell, f"approve {request_id} -c 'fine'")
    assert isinstance(approved, DecisionView) and approved.result.request.status == "approved"
    model = matih(shell, "models churn")
    assert isinstance(model, ModelView) and list(model.to_pandas()["stage"]) == ["Production"]
    history = matih(shell, "history churn")
    assert isinstance(history, HistoryView)
    users = list(history.to_pandas()["user"])
    assert len(users) == 4 and users[-1] == "lead" and "lead" not in users[:-1]
    export = tmp_path / "card.md"
    card = matih(shell, f"card churn 1 -p group --export {export}")
    assert isinstance(card, ModelCardView)
    bundle = card._repr_mimebundle_()
    assert "Fairness across group" in bundle["text/html"] and "auc (primary)" in bundle["text/markdown"]
    assert export.read_text() == card.markdown()
    lineage = matih(shell, "lineage churn 1")
    assert isinstance(lineage, LineageView) and list(lineage.to_pandas()["digest"]) == ["abc123"]
    used = matih(shell, "lineage --dataset churn-train")
    assert isinstance(used, DatasetVersionsView) and list(used.to_pandas()["version"]) == [1]


def test_card_on_a_provided_holdout(shell: InteractiveShell, matih_home: Path) -> None:
    uri = f"sqlite:///{matih_home / 'mlflow.db'}"
    matih(shell, "models")
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    matih(shell, f"register {make_run(client, {'auc': 0.9})} --name churn")
    shell.user_ns["holdout"] = holdout_frame(200)
    card = matih(shell, "card churn 1 --holdout holdout --samples 200")
    assert isinstance(card, ModelCardView) and card.card.holdout_rows == 200
    assert card.card.holdout_source == "provided holdout set"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("promote churn", "the following arguments are required"),
        ("promote churn one Staging", "invalid int value"),
        ("promote churn 1 Prod", "Unknown stage 'Prod'.*one of Development"),
        ("promote nope 1 Staging", "not found"),
        ("approve nope", "Promotion request 'nope' not found.*%matih promotions"),
        ("thresholds churn 'auc >> 1'", "Malformed threshold.*auc >= 0.85"),
        ("card churn 1 --holdout missing", "No variable named 'missing'"),
        ("lineage churn", "lineage needs MODEL VERSION"),
        ("lineage", "lineage needs MODEL VERSION"),
        ("card churn 1 --export card.pdf", "use a .md or .html"),
        ("promot churn 1 Staging", "Did you mean 'promote'"),
    ],
)
def test_mistakes_are_usage_errors_with_hints(
    shell: InteractiveShell, matih_home: Path, line: str, message: str
) -> None:
    uri = f"sqlite:///{matih_home / 'mlflow.db'}"
    matih(shell, "models")
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    matih(shell, f"register {make_run(client, {'auc': 0.9})} --name churn")
    with pytest.raises(UsageError, match=message):
        matih(shell, line)
    assert matih(shell, "models churn").model.versions[0].stage.value == "Development"  # type: ignore[attr-defined]
