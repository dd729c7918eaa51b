"""A single-trial job (one configuration, one worker, no search) runs as a plain Ray task, not through Tune:
same MLflow record (parent and child run, per-epoch steps, checkpoints as artifacts), errors and cancel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.tracking import MlflowClient

import matih_workbench as matih
from matih_workbench.backends.ray.single import STOP_GRACE
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import single_trial, training_spec


def fit_fn(config: dict[str, Any]) -> None:
    frame = matih.data()
    weight = 0.0
    for epoch in range(config["epochs"]):
        weight += float(frame["y"].mean())
        matih.report({"loss": 1.0 / (epoch + 1), "weight": weight}, checkpoint={"weight": weight})


def _children(client: MlflowClient, experiment_id: str, parent: str) -> list[Any]:
    return client.search_runs([experiment_id], f"tags.mlflow.parentRunId = '{parent}'")


def test_single_trial_runs_without_tune_and_records_everything(
    ray_session: None, workbench: Workbench, client: MlflowClient, matih_home: Path
) -> None:
    spec = training_spec(experiment="single", epochs=4, metric="loss", data="frame")
    assert single_trial(spec)
    frame = pd.DataFrame({"y": [0.0, 1.0, 1.0, 0.0]})
    result = workbench.training.run(spec, fit_fn, data=frame)
    assert result.status == "FINISHED", result.error
    assert not (matih_home / "ray_results" / f"matih-{result.job_id}").exists()  # Tune keeps its state there
    [trial] = result.trials
    assert trial.status == "TERMINATED" and trial.iterations == 4 and trial.metrics["weight"] == 2.0
    assert result.best_metrics["loss"] == 0.25 and result.best_run_id == trial.run_id

    [child] = _children(client, result.experiment_id, result.parent_run_id)
    assert child.info.run_id == trial.run_id and child.info.status == "FINISHED"
    assert child.data.params["epochs"] == "4" and child.data.tags["matih.metrics_delivered"] == "8"
    history = client.get_metric_history(child.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(1, 1.0), (2, 0.5), (3, 1 / 3), (4, 0.25)]
    checkpoints = {a.path for a in client.list_artifacts(child.info.run_id, "checkpoints")}
    assert checkpoints == {f"checkpoints/step-{s:04d}" for s in range(1, 5)}
    parent = client.get_run(result.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.data.tags["matih.checkpoints"] == "4"
    assert parent.data.metrics["best_loss"] == 0.25
    kinds = [e.type for e in workbench.events.list().events if e.subject == result.parent_run_id]
    assert kinds == [EventType.MODEL_TRAINING_STARTED, EventType.MODEL_TRAINING_COMPLETED]


def stateful_fn(config: dict[str, Any]) -> None:
    """Leaves state behind in its process, as a train_fn may (a module global, a seed, a thread)."""
    import os
    import sys

    module = sys.modules[__name__]
    runs_here = getattr(module, "runs_in_this_process", 0) + 1
    module.runs_in_this_process = runs_here  # type: ignore[attr-defined]
    matih.report({"worker_pid": os.getpid(), "runs_in_this_process": runs_here})


def test_each_single_trial_job_gets_a_fresh_worker_process(ray_session: None, workbench: Workbench) -> None:
    spec = training_spec(experiment="fresh-worker", epochs=1)
    results = [workbench.training.run(spec, stateful_fn) for _ in range(3)]  # more jobs than warm workers
    assert all(r.status == "FINISHED" for r in results), [r.error for r in results]
    trials = [r.trials[0].metrics for r in results]
    assert [t["runs_in_this_process"] for t in trials] == [1.0, 1.0, 1.0]
    assert len({t["worker_pid"] for t in trials}) == 3


def failing_fn(config: dict[str, Any]) -> None:
    matih.report({"loss": 1.0})
    raise ValueError("diverged at epoch 2")


def test_a_failing_single_trial_fails_the_job_with_its_error(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    result = workbench.training.run(training_spec(experiment="single-fail", epochs=3), failing_fn)
    assert result.status == "FAILED" and "diverged at epoch 2" in (result.error or "")
    [trial] = result.trials
    assert trial.status == "ERROR" and "ValueError: diverged at epoch 2" in (trial.error or "")
    [child] = _children(client, result.experiment_id, result.parent_run_id)
    assert child.info.status == "FAILED" and "diverged" in child.data.tags["matih.error"]
    assert [m.value for m in client.get_metric_history(child.info.run_id, "loss")] == [1.0]
    assert client.get_run(result.parent_run_id).info.status == "FAILED"


def slow_fn(config: dict[str, Any]) -> None:
    for epoch in range(config["epochs"]):
        time.sleep(0.3)
        matih.report({"loss": 1.0 / (epoch + 1)})


def silent_fn(config: dict[str, Any]) -> None:
    matih.report({"loss": 1.0})
    matih.report({"loss": 0.5})
    while True:  # never reports again: the cancel has to interrupt it
        time.sleep(0.05)


def _cancel_after_two_epochs(workbench: Workbench, job_id: str) -> Any:
    deadline = time.monotonic() + 120
    while not ((trials := workbench.training.get(job_id).trials) and trials[0].iterations >= 2):
        assert time.monotonic() < deadline, "the trial never reached its second epoch"
        time.sleep(0.05)
    started = time.monotonic()
    result = workbench.training.cancel(job_id, timeout=3 * STOP_GRACE + 30)
    return result, time.monotonic() - started


def test_cancel_stops_a_single_trial_at_its_next_report_and_keeps_its_metrics(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    job = workbench.training.start(training_spec(experiment="single-cancel", epochs=500), slow_fn)
    result, took = _cancel_after_two_epochs(workbench, job.job_id)
    assert result.status == "KILLED" and result.trials[0].status == "KILLED"
    assert took < STOP_GRACE, f"a reporting trial should stop at its next report, took {took:.1f} s"
    [child] = _children(client, result.experiment_id, result.parent_run_id)
    assert child.info.status == "KILLED" and client.get_run(result.parent_run_id).info.status == "KILLED"
    delivered = len(client.get_metric_history(child.info.run_id, "loss"))
    assert 2 <= delivered < 500 and child.data.tags["matih.metrics_delivered"] == str(delivered)


def test_cancel_interrupts_a_single_trial_that_stopped_reporting(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    job = workbench.training.start(training_spec(experiment="single-silent", epochs=5), silent_fn)
    result, took = _cancel_after_two_epochs(workbench, job.job_id)
    assert result.status == "KILLED", result.error
    assert took < 2 * STOP_GRACE + 10, f"cancel took {took:.1f} s"
    [child] = _children(client, result.experiment_id, result.parent_run_id)
    assert child.info.status == "KILLED"
    assert [m.value for m in client.get_metric_history(child.info.run_id, "loss")] == [1.0, 0.5]


def pid_fn(config: dict[str, Any]) -> None:
    import os

    for epoch in range(config["epochs"]):
        time.sleep(0.2)
        matih.report({"loss": 1.0 / (epoch + 1), "worker_pid": os.getpid()})


def test_a_single_trial_whose_worker_dies_fails_with_that_reason_and_keeps_what_was_delivered(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    import os
    import signal

    job = workbench.training.start(training_spec(experiment="single-killed", epochs=1000), pid_fn)
    deadline = time.monotonic() + 120
    while not ((trials := workbench.training.get(job.job_id).trials) and trials[0].iterations >= 3):
        assert time.monotonic() < deadline, "the trial never reached its third epoch"
        time.sleep(0.05)
    os.kill(int(trials[0].metrics["worker_pid"]), signal.SIGKILL)
    result = workbench.training.wait(job.job_id, timeout=120)
    assert result.status == "FAILED" and result.trials[0].status == "ERROR"
    assert (
        "died" in (result.trials[0].error or "").lower() or "crash" in (result.trials[0].error or "").lower()
    )
    [child] = _children(client, result.experiment_id, result.parent_run_id)
    assert child.info.status == "FAILED" and client.get_run(result.parent_run_id).info.status == "FAILED"
    assert len(client.get_metric_history(child.info.run_id, "loss")) >= 1  # flushed before the kill
