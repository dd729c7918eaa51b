"""Monitoring test data: a churn table with numeric and categorical features, a real sklearn pipeline
registered with its training data logged as an MLflow dataset, an endpoint row, and inference logs written
by serving's own writer (the format Ray Serve's replicas write)."""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import mlflow.data.pandas_dataset
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.entities import DatasetInput, InputTag
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from matih_workbench.backends.ray.serve.inference_log import InferenceLog
from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow
from matih_workbench.services import Workbench

FEATURES = ["tenure", "spend", "visits", "plan"]
PLANS = ["basic", "plus", "pro"]


def churn(
    n: int, seed: int = 0, *, spend_shift: float = 0.0, plan_p: list[float] | None = None
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.uniform(0, 60, n).round(2),
            "spend": (rng.gamma(2.0, 30.0, n) + spend_shift).round(2),
            "visits": rng.normal(4, 1.5, n).round(3),
            "plan": rng.choice(PLANS, n, p=plan_p or [0.5, 0.3, 0.2]),
        }
    )


def fit(train: pd.DataFrame) -> Pipeline:
    target = train.tenure * 0.5 + train.spend * 0.1 - train.visits
    encode = ColumnTransformer(
        [("plan", OneHotEncoder(handle_unknown="ignore"), ["plan"])], remainder="passthrough"
    )
    return Pipeline([("encode", encode), ("fit", LinearRegression())]).fit(train[FEATURES], target)


def register(
    workbench: Workbench,
    client: MlflowClient,
    train: pd.DataFrame,
    name: str = "churn",
    folder: Path | None = None,
) -> tuple[int, Pipeline, str]:
    """A fitted pipeline logged in a run with a signature, ``train`` (plus a label) logged as the run's
    training dataset from a Parquet file, registered as a new version of ``name``."""
    model = fit(train)
    found = client.get_experiment_by_name("monitoring-tests")
    experiment_id = found.experiment_id if found else client.create_experiment("monitoring-tests")
    run_id = client.create_run(experiment_id).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(train[FEATURES], model.predict(train[FEATURES]))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    if folder is not None:
        path = folder / f"train-{run_id}.parquet"
        train.assign(label=model.predict(train[FEATURES])).to_parquet(path)
        with warnings.catch_warnings():  # MLflow: a local path "can be interpreted in multiple ways"
            warnings.filterwarnings("ignore", "The specified dataset source", UserWarning)
            dataset = mlflow.data.pandas_dataset.from_pandas(
                pd.read_parquet(path), source=str(path), name="churn-train"
            )
        tag = InputTag("mlflow.data.context", "training")
        client.log_inputs(run_id, datasets=[DatasetInput(dataset._to_mlflow_entity(), [tag])])
    client.set_terminated(run_id)
    return workbench.registry.register(run_id, name).version, model, run_id


def add_endpoint(home: Path, name: str, model: str, weights: dict[int, int]) -> None:
    """The endpoint as the serving service records it (no Ray: these tests read its log only)."""
    store = DeploymentStore(home / "deployments.db")
    now = time.time()
    routes = [{"version": str(v), "weight": w, "shadow": False} for v, w in weights.items()]
    store.save(
        EndpointRow(
            name=name,
            model=model,
            spec={"name": name, "model": model, "routes": routes},
            deployed={str(v): {"by": "alice", "at": now} for v in weights},
            canary=None,
            admin_token="t",
            server="ray-serve",
            url=f"http://127.0.0.1:1/{name}",
            created_by="alice",
            created_at=now,
            updated_at=now,
        )
    )
    store.close()


def write_log(
    home: Path,
    endpoint: str,
    model: str,
    version: int,
    data: pd.DataFrame,
    predictions: np.ndarray | None,
    start: float,
    *,
    spacing: float = 1.0,
    batch: int = 5,
    status: int = 200,
    latency_ms: float = 5.0,
) -> int:
    """``data`` as requests of ``batch`` records each, one every ``spacing`` seconds from ``start``,
    written by serving's inference log writer; returns the requests written."""
    log = InferenceLog(str(home / "inference"), endpoint)
    requests, day = 0, None
    for i in range(0, len(data), batch):
        at = start + requests * spacing
        if day is not None and time.gmtime(at)[:3] != day:
            log.flush()  # one file per day folder, as the replicas' half-second flushes are
        day = time.gmtime(at)[:3]
        records = data.iloc[i : i + batch].to_dict(orient="records")
        outputs = (
            predictions[i : i + batch].tolist() if predictions is not None and status == 200 else "failed"
        )
        log.append(
            {
                "request_id": f"r{start}-{i}",
                "time": at,
                "endpoint": endpoint,
                "model": model,
                "version": str(version),
                "role": "live",
                "status": status,
                "latency_ms": latency_ms,
                "inputs": records,
                "outputs": outputs,
            }
        )
        requests += 1
    log.close()
    assert log.written == requests
    return requests
