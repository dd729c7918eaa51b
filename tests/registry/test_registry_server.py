"""The registry against a real ``mlflow server`` process: what plain MLflow clients see stays consistent."""

from __future__ import annotations

from pathlib import Path

from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision, ModelStage
from matih_workbench.services import Workbench

from .conftest import holdout_frame, make_run

S = ModelStage


def test_promotion_through_a_tracking_server(mlflow_server: tuple[str, str], tmp_path: Path) -> None:
    url = mlflow_server[0]
    client = MlflowClient(tracking_uri=url, registry_uri=url)

    def as_user(user: str) -> Workbench:
        config = WorkbenchConfig(
            home=str(tmp_path / "home"), tracking_uri=url, user=user, registry_leads=["lead"]
        )
        return Workbench.from_config(config)

    alice, lead = as_user("alice"), as_user("lead")
    name = f"remote-{tmp_path.name}"
    runs = [
        make_run(client, {"auc": auc}, experiment=name, holdout=holdout_frame(), datasets=[("d", f"x{auc}")])
        for auc in (0.90, 0.93)
    ]
    for run_id in runs:
        alice.registry.register(run_id, name)
    alice.registry.set_thresholds(name, ["auc >= 0.85", "auc not_worse_than_production_by 0.01"])
    for version in (1, 2):
        alice.registry.transition(name, version, S.STAGING)
        request = alice.registry.transition(name, version, S.PRODUCTION, reason="remote").request
        assert request is not None and request.evidence.card is not None
        assert request.evidence.card.primary_metric is not None
        assert request.evidence.card.primary_metric.ci_low is not None
        lead.registry.decide(request.id, Decision(decision="approve"))
    # A plain MLflow client sees the same picture: alias production -> version 2, version 1 archived.
    assert int(client.get_model_version_by_alias(name, "production").version) == 2
    assert client.get_model_version(name, "1").tags["matih.stage"] == "Archived"
    assert "staging" not in client.get_registered_model(name).aliases
    stages = {v.version: v.stage for v in alice.registry.get_model(name).versions}
    assert stages == {1: S.ARCHIVED, 2: S.PRODUCTION}
    assert [v.version for v in alice.lineage.dataset_versions("d", "x0.9").versions] == [1]
    types = [r.type for r in alice.registry.history(name).history]
    assert types.count("MODEL_PROMOTED") == 4 and types.count("MODEL_ARCHIVED") == 1
