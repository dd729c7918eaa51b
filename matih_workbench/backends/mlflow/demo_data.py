"""Seed a tracking store with a small, realistic demo experiment through the plain MLflow client."""

from __future__ import annotations

import math
import random
import time

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

DEMO_EXPERIMENT = "quickstart-demo"


def seed_demo_runs(
    tracking_uri: str,
    artifact_root: str | None = None,
    experiment: str = DEMO_EXPERIMENT,
    runs: int = 12,
    steps: int = 8,
    seed: int = 7,
) -> str:
    """Create ``experiment`` (if missing) with ``runs`` finished runs; returns the experiment id."""
    client = MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is not None:
        return str(found.experiment_id)
    location = f"{artifact_root.rstrip('/')}/{experiment}" if artifact_root else None
    experiment_id = client.create_experiment(experiment, artifact_location=location)
    rng = random.Random(seed)
    models = ["random_forest", "gradient_boosting", "logistic_regression"]
    for i in range(runs):
        lr, depth, model = 10 ** rng.uniform(-3, -1), rng.choice([4, 8, 16]), models[i % 3]
        quality = 0.55 + 0.3 * rng.random() + (0.05 if model != "logistic_regression" else 0.0)
        run = client.create_run(experiment_id, run_name=f"{model}-{i:02d}", tags={"matih.demo": "true"})
        now = int(time.time() * 1000)
        metrics = []
        for step in range(steps):
            progress = 1 - math.exp(-(step + 1) * (0.3 + lr * 5))
            metrics.append(Metric("accuracy", round(0.5 + (quality - 0.5) * progress, 4), now + step, step))
            metrics.append(
                Metric("loss", round(1.2 * (1 - progress) + (1 - quality) * 0.5, 4), now + step, step)
            )
        metrics.append(Metric("auc", round(min(0.99, quality + 0.08), 4), now + steps, steps - 1))
        params = [Param("lr", f"{lr:.4g}"), Param("max_depth", str(depth)), Param("model", model)]
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=[RunTag("dataset", "iris-v1")])
        client.set_terminated(run.info.run_id)
    return str(experiment_id)
