"""Shared fixtures: a real MLflow SQLite store seeded through the plain MLflow client."""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def matih_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "matih"
    monkeypatch.setenv("MATIH_HOME", str(home))
    for var in (
        "MLFLOW_TRACKING_URI",
        "MATIH_TRACKING_URI",
        "MATIH_TRACKING_READ_URI",
        "MATIH_MLFLOW_UI_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def config(matih_home: Path) -> WorkbenchConfig:
    return WorkbenchConfig()


@pytest.fixture
def workbench(config: WorkbenchConfig) -> Iterator[Workbench]:
    wb = Workbench.from_config(config)
    yield wb
    if wb.tracking.tracking.reader:
        wb.tracking.tracking.reader.close()


@pytest.fixture
def server(matih_home: Path) -> Iterator[Workbench]:
    """What the Jupyter server builds beside a kernel's ``workbench``: its own connections to the same
    stores (same MATIH_HOME), its own user."""
    wb = Workbench.from_config(WorkbenchConfig(user="panel-user"))
    yield wb
    if wb.tracking.tracking.reader:
        wb.tracking.tracking.reader.close()


@pytest.fixture
def client(workbench: Workbench, config: WorkbenchConfig) -> MlflowClient:
    return MlflowClient(tracking_uri=config.tracking_uri)


def seed_varied_runs(client: MlflowClient, experiment: str, runs: int = 60, seed: int = 1) -> str:
    """Runs with missing metrics, NaN metrics, ties, mixed-case params, deleted runs and histories."""
    experiment_id = client.create_experiment(experiment)
    rng = random.Random(seed)
    base = int(time.time() * 1000)
    for i in range(runs):
        run = client.create_run(experiment_id, run_name=f"run-{i:03d}", start_time=base + (i % 7) * 1000)
        metrics = [Metric("acc", round(rng.random(), 2), base, s) for s in range(3)]
        if i % 5:
            metrics.append(Metric("loss", rng.choice([0.1, 0.2, 0.3, math.nan]), base, 0))
        if i % 11 == 0:
            metrics.append(Metric("rare", float(i), base, 0))
        params = [
            Param("model", rng.choice(["RF", "rf", "xgb", "Logistic"])),
            Param("depth", str(rng.randint(1, 9))),
        ]
        if i % 4 == 0:
            params.append(Param("lr", str(rng.choice([0.1, 0.01]))))
        tags = [RunTag("team", rng.choice(["a", "b"]))]
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
        if i % 3:
            client.set_terminated(run.info.run_id, status=rng.choice(["FINISHED", "FAILED"]))
        if i % 13 == 5:
            client.delete_run(run.info.run_id)
    return str(experiment_id)
