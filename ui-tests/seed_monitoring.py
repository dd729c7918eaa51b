"""Drift monitoring data for tests/monitoring.spec.ts, through the service layer and serving's own inference
log writer (the format Ray Serve's replicas write).

    python ui-tests/seed_monitoring.py HOME                   # model, baseline, rules, inference log
    python ui-tests/seed_monitoring.py HOME --endpoint add    # the endpoint row (the spec, before it runs)
    python ui-tests/seed_monitoring.py HOME --endpoint remove # the endpoint row gone (the spec, after it)

``ui-monitoring`` v1: a sklearn pipeline fitted on a churn table (``tenure``, ``spend``, ``visits``,
``plan``), registered by galata with that table logged as the run's MLflow training dataset, its baseline
captured from that dataset; its rules judge a one-day window. The endpoint ``ui-monitoring`` sends all its
traffic to v1; its log holds 300 requests (1,500 records) from two hours ago, with ``spend`` shifted far from
training and the other features as trained: drifted on ``spend`` only, and nothing in the last hour.

The endpoint row is written by the spec, not here: the Deployments tab lists the rows of the same store, and
tests/serving.spec.ts starts from no endpoint at all.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

NAME = "ui-monitoring"
FEATURES = ["tenure", "spend", "visits", "plan"]
PLANS = ["basic", "plus", "pro"]


def churn(n: int, seed: int, spend_shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.uniform(0, 60, n).round(2),
            "spend": (rng.gamma(2.0, 30.0, n) + spend_shift).round(2),
            "visits": rng.normal(4, 1.5, n).round(3),
            "plan": rng.choice(PLANS, n, p=[0.5, 0.3, 0.2]),
        }
    )


def seed(home: Path) -> None:
    import mlflow.data.pandas_dataset
    import mlflow.sklearn
    from mlflow.entities import DatasetInput, InputTag
    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from matih_workbench.backends.ray.serve.inference_log import InferenceLog
    from matih_workbench.config import WorkbenchConfig
    from matih_workbench.models.monitoring_api import AlertRuleSettings
    from matih_workbench.services import Workbench

    workbench = Workbench.from_config(WorkbenchConfig(home=str(home), user="galata"))
    client = MlflowClient(workbench.config.tracking_uri)
    train = churn(3000, seed=0)
    target = train.tenure * 0.5 + train.spend * 0.1 - train.visits
    encode = ColumnTransformer(
        [("plan", OneHotEncoder(handle_unknown="ignore"), ["plan"])], remainder="passthrough"
    )
    model = Pipeline([("encode", encode), ("fit", LinearRegression())]).fit(train[FEATURES], target)

    experiment_id = client.create_experiment(NAME, (home / "artifacts").resolve().as_uri())
    run_id = client.create_run(experiment_id, tags={"mlflow.user": "galata"}).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(train[FEATURES], model.predict(train[FEATURES]))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    data = home / "datasets"
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"{NAME}-train.parquet"
    train.assign(label=model.predict(train[FEATURES])).to_parquet(path)
    with warnings.catch_warnings():  # MLflow: a local path "can be interpreted in multiple ways"
        warnings.filterwarnings("ignore", "The specified dataset source", UserWarning)
        dataset = mlflow.data.pandas_dataset.from_pandas(
            pd.read_parquet(path), source=str(path), name=f"{NAME}-train"
        )
    tag = InputTag("mlflow.data.context", "training")
    client.log_inputs(run_id, datasets=[DatasetInput(dataset._to_mlflow_entity(), [tag])])
    client.set_terminated(run_id)

    version = workbench.registry.register(run_id, NAME).version
    workbench.monitoring.baselines.capture(NAME, version)  # from the run's training dataset
    workbench.monitoring.alerts.set_rules(NAME, AlertRuleSettings(window="1d", features=["spend"]))

    window = churn(1500, seed=7, spend_shift=250.0)
    predictions = model.predict(window[FEATURES])
    log = InferenceLog(str(home / "inference"), NAME)
    start = time.time() - 2 * 3600
    batch = 5
    for request, i in enumerate(range(0, len(window), batch)):
        log.append(
            {
                "request_id": f"seed-{i}",
                "time": start + request,
                "endpoint": NAME,
                "model": NAME,
                "version": str(version),
                "role": "live",
                "status": 200,
                "latency_ms": 5.0 + (request % 10),
                "inputs": window.iloc[i : i + batch].to_dict(orient="records"),
                "outputs": predictions[i : i + batch].tolist(),
            }
        )
    log.close()


def endpoint(home: Path, action: str) -> None:
    """The endpoint's row as the serving service records it (no Ray: the monitoring reads its log only)."""
    from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow

    store = DeploymentStore(home / "deployments.db")
    try:
        if action == "remove":
            store.delete(NAME)
            return
        now = time.time()
        routes = [{"version": "1", "weight": 100, "shadow": False}]
        store.save(
            EndpointRow(
                name=NAME,
                model=NAME,
                spec={"name": NAME, "model": NAME, "routes": routes},
                deployed={"1": {"by": "galata", "at": now}},
                canary=None,
                admin_token="seeded",
                server="ray-serve",
                url=f"http://127.0.0.1:1/{NAME}",
                created_by="galata",
                created_at=now,
                updated_at=now,
            )
        )
    finally:
        store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--endpoint", choices=["add", "remove"])
    args = parser.parse_args()
    if args.endpoint:
        endpoint(args.home, args.endpoint)
    else:
        seed(args.home)
