"""Registry fixtures: runs with logged models, metrics, dataset inputs and holdout predictions, written
through the plain MLflow client into the real SQLite store; workbenches acting as different users; the
jupyter-server acting as a non-lead."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench

LEADS = ["lead"]


def make_run(
    client: MlflowClient,
    metrics: dict[str, float] | None = None,
    *,
    experiment: str = "registry-tests",
    datasets: list[tuple[str, str]] | None = None,
    tags: dict[str, str] | None = None,
    holdout: pd.DataFrame | None = None,
    log_model: bool = True,
) -> str:
    """A finished run with a logged model named ``model``; ``datasets`` are (name, digest) training inputs."""
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    run_id = client.create_run(experiment_id, tags=tags or {}).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in (metrics or {}).items()])
    if datasets:
        inputs = [
            DatasetInput(
                Dataset(name=name, digest=digest, source_type="local", source=f"/data/{name}.csv"),
                [InputTag("mlflow.data.context", "training")],
            )
            for name, digest in datasets
        ]
        client.log_inputs(run_id, inputs)
    if log_model:
        client.create_logged_model(experiment_id, name="model", source_run_id=run_id)
    if holdout is not None:
        client.log_text(run_id, holdout.to_csv(index=False), "holdout_predictions.csv")
    client.set_terminated(run_id)
    return run_id


def holdout_frame(n: int = 400, seed: int = 7) -> pd.DataFrame:
    """Binary labels, informative scores and a protected attribute with a built-in gap."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b"], size=n)
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + 0.35 + rng.normal(0, 0.2, n) + np.where(group == "b", 0.1, 0.0), 0, 1)
    return pd.DataFrame({"y_true": y, "y_score": score.round(4), "group": group})


@pytest.fixture
def as_user(workbench: Workbench) -> Callable[..., Workbench]:
    """A workbench on the same home and stores, acting as ``user`` (leads: ``lead``)."""

    def make(user: str, **settings: Any) -> Workbench:
        settings.setdefault("registry_leads", LEADS)
        return Workbench.from_config(WorkbenchConfig(user=user, **settings))

    return make


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Here the jupyter-server (the shared ``jp_server_config``) acts as user ``sam``, not a lead."""
    if "jp_server_config" in metafunc.fixturenames:
        settings = {"WorkbenchConfig": {"user": "sam", "registry_leads": LEADS}}
        metafunc.parametrize("jp_server_config", [settings], indirect=True, ids=["as-sam"])
