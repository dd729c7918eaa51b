"""Registered models for the UI tests, through the workbench's registry service (as `%matih models` would).

    python ui-tests/seed_registry.py HOME

``churn-classifier`` (owner galata, thresholds ``auc >= 0.8`` and ``accuracy >= 0.75``): v1 in Production
(staged, requested and approved by galata, who may approve his own requests here), v2 in Development with
holdout predictions (its card has confidence intervals and fairness), v3 in Development failing ``auc``.
``fraud-detector`` (owners alice and galata): v1 in Staging with a pending Production request from alice,
which galata may decide.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision, ModelCardUpdate, ModelStage
from matih_workbench.services import Workbench

EXPERIMENT = "churn"


def holdout(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b"], size=n)
    y = rng.integers(0, 2, n)
    score = np.clip(0.35 * y + 0.3 + rng.normal(0, 0.2, n) + np.where(group == "b", 0.08, 0.0), 0, 1)
    return pd.DataFrame({"y_true": y, "y_score": score.round(4), "group": group})


GIT = {
    "mlflow.source.git.commit": "4f2a9c1e0b7d3a5c8e6f1029384756abcdef0123",
    "mlflow.source.git.branch": "main",
    "matih.notebook_path": "notebooks/churn.ipynb",
}


def make_run(client: MlflowClient, home: Path, metrics: dict[str, float], with_holdout: bool = False) -> str:
    """A finished run with a logged model named ``model`` (plain MLflow client)."""
    found = client.get_experiment_by_name(EXPERIMENT)
    artifacts = (home / "artifacts").resolve().as_uri()
    experiment_id = found.experiment_id if found else client.create_experiment(EXPERIMENT, artifacts)
    tags = {"mlflow.user": "galata", **(GIT if with_holdout else {})}
    run_id = client.create_run(experiment_id, tags=tags).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in metrics.items()])
    dataset = Dataset(name="customers", digest="c0ffee12", source_type="local", source="/data/customers.csv")
    client.log_inputs(run_id, [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])
    client.create_logged_model(experiment_id, name="model", source_run_id=run_id)
    if with_holdout:
        client.log_text(run_id, holdout().to_csv(index=False), "holdout_predictions.csv")
    client.set_terminated(run_id)
    return str(run_id)


def seed(home: Path) -> None:
    galata = Workbench.from_config(WorkbenchConfig(home=str(home), user="galata", allow_self_approval=True))
    alice = Workbench.from_config(WorkbenchConfig(home=str(home), user="alice"))
    uri = galata.config.tracking_uri
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)

    name = "churn-classifier"
    v1 = galata.registry.register(make_run(client, home, {"auc": 0.84, "accuracy": 0.8}), name).version
    galata.registry.set_thresholds(name, ["auc >= 0.8", "accuracy >= 0.75"])
    galata.registry.transition(name, v1, ModelStage.STAGING, "first candidate")
    request = galata.registry.transition(name, v1, ModelStage.PRODUCTION, "launch").request
    assert request is not None
    galata.registry.decide(request.id, Decision(decision="approve", comment="launch approved"))
    v2 = galata.registry.register(
        make_run(client, home, {"auc": 0.88, "accuracy": 0.83}, with_holdout=True),
        name,
        description="Gradient boosting on the 2026 customer snapshot",
    ).version
    galata.cards.update(
        name,
        v2,
        ModelCardUpdate(
            intended_use="Rank customers by churn risk for retention offers",
            limitations="Not validated on customers younger than 3 months",
            primary_metric="auc",
            protected_attribute="group",
        ),
    )
    galata.registry.register(make_run(client, home, {"auc": 0.7, "accuracy": 0.77}), name)

    other = "fraud-detector"
    f1 = alice.registry.register(
        make_run(client, home, {"auc": 0.91}), other, owners=["alice", "galata"]
    ).version
    alice.registry.transition(other, f1, ModelStage.STAGING, "shadow traffic looked fine")
    alice.registry.transition(other, f1, ModelStage.PRODUCTION, "ready for launch")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    seed(Path(sys.argv[1]))
