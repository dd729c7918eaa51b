"""A kernel killed while its training job runs (OOM killer, a crash, `kill -9`): the job died with it, and
the server, which shares the stores, ends it FAILED with the reason instead of listing it RUNNING forever."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel
from mlflow.tracking import MlflowClient

from matih_workbench.errors import Conflict
from matih_workbench.models import EventType
from matih_workbench.services import Workbench

CELL = """%%matih train --experiment orphaned --background --epochs 100000 --metric loss --mode min
import time
import matih_workbench as matih

def train_fn(config):
    for epoch in range(config["epochs"]):
        time.sleep(0.2)
        matih.report({"loss": 1.0 / (epoch + 1)})
"""


def test_a_job_whose_kernel_is_killed_ends_failed_in_the_jobs_list(
    matih_home: Path, monkeypatch: pytest.MonkeyPatch, server: Workbench, client: MlflowClient
) -> None:
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive("%load_ext matih_workbench", timeout=60)
        kc.execute_interactive(CELL, timeout=120)
        deadline = time.monotonic() + 180
        while not ((jobs := server.jobs.list().jobs) and jobs[0].trials_running == 1 and _reported(client)):
            assert time.monotonic() < deadline, "the job never reported an epoch"
            time.sleep(0.5)
        (job,) = jobs
        assert job.status == "RUNNING"

        kernel_pid = km.provisioner.pid  # type: ignore[union-attr]
        os.kill(kernel_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (ended := server.jobs.get(job.job_id)).status == "RUNNING":
            assert time.monotonic() < deadline, "the job still shows RUNNING 30 s after its kernel died"
            time.sleep(0.5)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    assert ended.status == "FAILED" and ended.error and f"pid {kernel_pid}" in ended.error
    assert ended.trials_failed == 1 and ended.trials_running == 0
    for run_id in (job.parent_run_id, *_children(client, job.parent_run_id)):
        run = client.get_run(run_id)
        assert run.info.status == "FAILED" and "exited" in run.data.tags["matih.error"]
    assert client.get_metric_history(_children(client, job.parent_run_id)[0], "loss")  # kept
    failed = [e for e in server.events.list(limit=1000).events if e.type is EventType.MODEL_TRAINING_FAILED]
    assert [e.payload["job_id"] for e in failed] == [job.job_id]
    with pytest.raises(Conflict):
        server.jobs.request_cancel(job.job_id)


def _children(client: MlflowClient, parent_run_id: str) -> list[str]:
    runs = client.search_runs(
        [e.experiment_id for e in client.search_experiments()], f"tags.mlflow.parentRunId = '{parent_run_id}'"
    )
    return [r.info.run_id for r in runs]


def _reported(client: MlflowClient) -> bool:
    experiment = client.get_experiment_by_name("orphaned")
    if experiment is None:
        return False
    return any("loss" in r.data.metrics for r in client.search_runs([experiment.experiment_id]))
