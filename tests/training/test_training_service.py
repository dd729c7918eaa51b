"""TrainingService on a real local Ray and a real MLflow store: a Tune search with ASHA, a crashing trial,
per-epoch metric steps, cancellation, and validation that creates nothing."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import matih_workbench as matih
from matih_workbench.errors import InvalidInput
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.training.search_space import parse_search_space
from matih_workbench.services.training.service import training_spec


def _frame() -> pd.DataFrame:
    rows = [(i % 7 / 7, (i * 3) % 5 / 5, int(i % 7 > 3)) for i in range(120)]
    return pd.DataFrame(rows, columns=["a", "b", "y"])


def train_fn(config: dict[str, Any]) -> None:
    from sklearn.linear_model import SGDClassifier

    frame = matih.data()
    x, y = frame[["a", "b"]].to_numpy(), frame["y"].to_numpy()
    model = SGDClassifier(alpha=config["alpha"], random_state=0)
    for epoch in range(config["epochs"]):
        model.partial_fit(x, y, classes=[0, 1])
        if config["boom"]:  # crashes before its first report, so no scheduler can stop it first
            raise ValueError(f"boom in epoch {epoch}")
        matih.report({"accuracy": float(model.score(x, y)), "epoch": epoch})


def _children(client: MlflowClient, experiment_id: str, parent: str) -> list[Any]:
    return client.search_runs([experiment_id], f"tags.mlflow.parentRunId = '{parent}'")


def test_tune_search_with_asha_tracks_parent_children_steps_and_failures(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    spec = training_spec(
        experiment="tune-asha",
        epochs=3,
        metric="accuracy",
        scheduler="asha",
        num_samples=2,
        max_concurrent=2,
        search_space=parse_search_space("alpha=loguniform(1e-5, 1e-2) boom=grid(False, True)"),
        data="frame",
        tags={"team": "ml"},
        seed=7,
    )
    started = time.monotonic()
    result = workbench.training.run(spec, train_fn, data=_frame(), cell_source="def train_fn(config): ...")
    print(f"tune run: {time.monotonic() - started:.1f} s")
    assert result.status == "FINISHED", result.error
    assert len(result.trials) == 4
    failed = [t for t in result.trials if t.status == "ERROR"]
    assert len(failed) == 2 and all("boom in epoch 0" in (t.error or "") for t in failed)
    assert all(t.config["boom"] is False for t in result.trials if t.status != "ERROR")

    parent = client.get_run(result.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.data.tags["matih.user"] == workbench.config.user
    assert parent.data.params["scheduler"] == "asha" and parent.data.tags["team"] == "ml"
    assert parent.data.tags["mlflow.source.git.commit"]  # the repository of this test
    assert parent.inputs.dataset_inputs[0].dataset.digest == parent.data.tags["matih.data_digest"]
    artifacts = {a.path for a in client.list_artifacts(result.parent_run_id)}
    assert {"cell.py", "environment.json"} <= artifacts
    assert "best_accuracy" in parent.data.metrics

    children = _children(client, result.experiment_id, result.parent_run_id)
    assert len(children) == 4
    statuses = sorted(c.info.status for c in children)
    assert statuses == ["FAILED", "FAILED", "FINISHED", "FINISHED"]
    for child in children:
        assert child.data.tags["matih.user"] == workbench.config.user and "alpha" in child.data.params
        if child.info.status == "FAILED":
            assert "boom" in child.data.tags["matih.error"]
    best = client.get_run(str(result.best_run_id))
    assert best.info.status == "FINISHED" and best.data.metrics["accuracy"] == result.best_metrics["accuracy"]
    steps = [m.step for m in client.get_metric_history(best.info.run_id, "accuracy")]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 1

    kinds = [e.type for e in workbench.events.list().events if e.subject == result.parent_run_id]
    assert kinds == [EventType.MODEL_TRAINING_STARTED, EventType.MODEL_TRAINING_COMPLETED]


def slow_fn(config: dict[str, Any]) -> None:
    for epoch in range(config["epochs"]):
        time.sleep(0.5)
        matih.report({"loss": 1.0 / (epoch + 1)})


def test_cancel_stops_the_job_and_marks_runs_killed(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    spec = training_spec(experiment="tune-cancel", epochs=200, metric="loss", num_samples=2, max_concurrent=2)
    job = workbench.training.start(spec, slow_fn)
    deadline = time.monotonic() + 180  # generous: trial actors start slowly on a loaded 2-core machine
    while not (
        (trials := workbench.training.get(job.job_id).trials) and all(t.iterations >= 2 for t in trials)
    ):
        assert time.monotonic() < deadline, "trials never reached their second epoch"
        time.sleep(0.2)
    result = workbench.training.cancel(job.job_id)
    assert result.status == "KILLED" and client.get_run(result.parent_run_id).info.status == "KILLED"
    children = _children(client, result.experiment_id, result.parent_run_id)
    assert children and all(c.info.status == "KILLED" for c in children)
    assert all(len(client.get_metric_history(c.info.run_id, "loss")) >= 2 for c in children)
    assert workbench.events.list().events[-1].type == EventType.MODEL_TRAINING_FAILED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"experiment": " bad"}, "experiment name"),
        ({"experiment": "x", "scheduler": "asha"}, "--metric is required"),
        ({"experiment": "x", "search_alg": "grid", "search_space": {"lr": "uniform(0, 1)"}}, "grid"),
        ({"experiment": "x", "epochs": 0}, "epochs"),
        ({"experiment": "x", "scheduler": "sideways"}, "scheduler"),
    ],
)
def test_bad_specs_are_refused_before_anything_starts(
    workbench: Workbench, client: MlflowClient, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        fields = dict(fields)
        if "search_space" in fields:
            from matih_workbench.services.training.search_space import search_space_from_dict

            fields["search_space"] = search_space_from_dict(fields["search_space"])
        workbench.training.start(training_spec(**fields), slow_fn)
    assert client.search_runs([e.experiment_id for e in client.search_experiments()]) == []


@pytest.mark.parametrize(
    ("fn", "data_name", "message"),
    [(None, None, "No train function"), (lambda: 1, None, "train_fn must take"), (slow_fn, "df", "No data")],
)
def test_bad_train_fn_or_data_are_refused(
    workbench: Workbench, client: MlflowClient, fn: Any, data_name: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        workbench.training.start(training_spec(experiment="x", data=data_name), fn)
    assert client.get_experiment_by_name("x") is None
