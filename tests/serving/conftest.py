"""Serving fixtures: registered sklearn versions with real MLflow models in the test's SQLite store, and a
local Ray for the serving tests.

``ray_session`` is not imported from ``tests/training/conftest.py``: an imported fixture is a second
definition, so a run of both folders would call ``ray.init`` twice and fail. Here it is package-scoped:
it reuses a Ray that is already up (training's, when that ran first) and otherwise starts one and shuts it
down after the last serving test, before training's own session fixture starts its Ray.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision, ModelStage
from matih_workbench.services import Workbench

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local test cluster; set before Ray is imported
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")

S = ModelStage
FEATURES = ["tenure", "spend", "visits"]


@pytest.fixture(scope="package")
def ray_session() -> Iterator[None]:
    import ray

    if ray.is_initialized():
        yield
        return
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def features(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.uniform(0, 60, n).round(2),
            "spend": rng.gamma(2.0, 30.0, n).round(2),
            "visits": rng.poisson(4, n).astype("float64"),
        }
    )


def register_model(
    workbench: Workbench,
    client: MlflowClient,
    model: object,
    train: pd.DataFrame,
    name: str = "churn",
    stage: ModelStage = S.DEVELOPMENT,
    signature: bool = True,
) -> int:
    """A real sklearn pyfunc model, logged in a run's ``model`` folder and registered; moved to ``stage``."""
    found = client.get_experiment_by_name("batch-tests")
    experiment_id = found.experiment_id if found else client.create_experiment("batch-tests")
    run_id = client.create_run(experiment_id).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        sig = infer_signature(train, model.predict(train)) if signature else None  # type: ignore[attr-defined]
        mlflow.sklearn.save_model(model, f"{tmp}/model", signature=sig, pip_requirements=["scikit-learn"])
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = workbench.registry.register(run_id, name).version
    promote(workbench, name, version, stage)
    return version


def promote(workbench: Workbench, name: str, version: int, stage: ModelStage) -> None:
    """Development -> ``stage`` the governed way: Production through Staging and a lead's approval."""
    if (
        stage in (S.STAGING, S.PRODUCTION)
        and workbench.registry.get_version(name, version).stage is not S.STAGING
    ):
        workbench.registry.transition(name, version, S.STAGING)
    if stage is S.PRODUCTION:
        request = workbench.registry.transition(name, version, S.PRODUCTION).request
        assert request is not None
        lead = Workbench.from_config(WorkbenchConfig(user="lead", registry_leads=["lead"]))
        try:
            lead.registry.decide(request.id, Decision(decision="approve", comment="ok"))
        finally:
            if lead.tracking.tracking.reader:
                lead.tracking.tracking.reader.close()
    if stage is S.ARCHIVED:
        workbench.registry.transition(name, version, S.ARCHIVED)
