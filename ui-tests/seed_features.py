"""The feature store of tests/features.spec.ts, through the service layer (as ``%matih features`` would).

    python ui-tests/seed_features.py HOME     # run by the spec before its test, the server already up

The bundled demo repository (drivers: ``driver_hourly_stats`` with a one-day TTL, ``driver_profile`` with
two days, the ``driver_activity`` service), written and applied under ``HOME/features`` on first use.
``driver_hourly_stats`` is materialized up to two days ago only: stale against its TTL, its online values
those of that moment; ``driver_profile`` is never materialized. ``ui-features`` v1 (in Staging) is a
regression trained on the point-in-time training set of ``driver_activity``, its lineage recorded on its run,
so both views list it as a model using them. The server reads the same repository (Feast's registry file,
never cached across processes) and the same MLflow store.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import pandas as pd

NAME = "ui-features"
SERVICE = "driver_activity"
STALE_VIEW = "driver_hourly_stats"


def seed(home: Path) -> None:
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient
    from sklearn.linear_model import LinearRegression

    from matih_workbench.config import WorkbenchConfig
    from matih_workbench.models import ModelStage
    from matih_workbench.services import Workbench

    workbench = Workbench.from_config(WorkbenchConfig(home=str(home), user="galata", feature_repo=""))
    features = workbench.features
    now = dt.datetime.now(dt.UTC)
    job = features.wait(features.materialize([STALE_VIEW], now - dt.timedelta(days=2)).id)
    if job.status != "SUCCEEDED":
        raise RuntimeError(f"Materializing {STALE_VIEW} failed: {job.error}")

    hours = [now - dt.timedelta(days=3, hours=h) for h in range(24)]
    drivers = pd.DataFrame(
        {"driver_id": [1001, 1002, 1003, 1004] * 6, "event_timestamp": hours, "trips": range(24)}
    )
    training = features.training_set(SERVICE, drivers)
    x = training.features.astype("float64").fillna(0.0)
    model = LinearRegression().fit(x, training.frame["trips"])

    client = MlflowClient(workbench.config.tracking_uri)
    experiment_id = client.create_experiment(NAME, (home / "artifacts").resolve().as_uri())
    run_id = client.create_run(experiment_id, tags={"mlflow.user": "galata"}).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(x, model.predict(x))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    features.log_training_set(run_id, training)
    client.set_terminated(run_id)
    version = workbench.registry.register(run_id, NAME).version
    workbench.registry.transition(NAME, version, ModelStage.STAGING, "for the features UI test")


if __name__ == "__main__":
    seed(Path(sys.argv[1]))
