"""Seed a fresh MLflow store for the UI tests: ``python ui-tests/seed_runs.py <MATIH_HOME>``.

``python ui-tests/seed_runs.py <MATIH_HOME> --add NAME`` logs one more run (the live-refresh test).

Plain MLflow client, no workbench code: the UI must show what any MLflow user logged. Creates the
experiment ``quickstart-demo`` with 12 finished runs, params ``lr``, ``depth``, ``model`` and metrics
``loss`` and ``accuracy`` logged over 5 steps. Values are deterministic so tests can assert on order.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient

EXPERIMENT = "quickstart-demo"
MODELS = ["rf", "xgb", "logreg"]
LRS = ["0.01", "0.05", "0.1", "0.3"]
STEPS = 5
RUNS = 12


def seed(home: Path) -> str:
    home.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    artifacts = (home / "artifacts").resolve().as_uri()
    experiment_id = client.create_experiment(EXPERIMENT, artifact_location=artifacts)
    start = int(time.time() * 1000) - RUNS * 60_000
    for i in range(RUNS):
        model, lr, depth = MODELS[i % 3], LRS[i % 4], str(2 + i % 5)
        # A fixed shuffle of 0.700, 0.721, ... so metric order differs from start-time order:
        # "accuracy DESC" lists demo-08 first, "accuracy ASC" demo-01.
        final_acc = 0.70 + 0.021 * ((i * 5) % RUNS)
        run = client.create_run(
            experiment_id,
            run_name=f"demo-{i + 1:02d}",
            start_time=start + i * 60_000,
            tags={"mlflow.user": "galata"},
        )
        metrics = []
        for step in range(STEPS):
            progress = (step + 1) / STEPS
            stamp = start + i * 60_000 + step * 1000
            acc = round(0.5 + (final_acc - 0.5) * progress, 4)
            loss = round((1.0 - final_acc) + (1.0 - progress) * 0.8, 4)
            metrics += [Metric("accuracy", acc, stamp, step), Metric("loss", loss, stamp, step)]
        params = [Param("lr", lr), Param("depth", depth), Param("model", model)]
        client.log_batch(run.info.run_id, metrics=metrics, params=params)
        client.set_terminated(run.info.run_id, "FINISHED", end_time=start + i * 60_000 + 5000)
    return experiment_id


def add_run(home: Path, name: str) -> str:
    """Log one more finished run, as another process would while the panel is open."""
    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    experiment = client.get_experiment_by_name(EXPERIMENT)
    assert experiment is not None, f"run seed first: no experiment {EXPERIMENT}"
    run = client.create_run(experiment.experiment_id, run_name=name, tags={"mlflow.user": "galata"})
    client.log_batch(
        run.info.run_id,
        metrics=[Metric("accuracy", 0.5, int(time.time() * 1000), 0)],
        params=[Param("lr", "0.2"), Param("depth", "1"), Param("model", "rf")],
    )
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--add":
        print(add_run(Path(sys.argv[1]), sys.argv[3]))
    elif len(sys.argv) == 2:
        experiment_id = seed(Path(sys.argv[1]))
        print(f"seeded {RUNS} runs in experiment '{EXPERIMENT}' ({experiment_id})")
    else:
        sys.exit("usage: python ui-tests/seed_runs.py <MATIH_HOME> [--add RUN_NAME]")
