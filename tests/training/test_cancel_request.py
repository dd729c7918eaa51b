"""A real Ray job cancelled only the way the side panel does it: the server's JobsService writes a cancel
request to the shared events store, and the kernel's TrainingService (its cancel-request watcher) stops the
job. Nothing here calls TrainingService.cancel."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mlflow.tracking import MlflowClient

import matih_workbench as matih
from matih_workbench.errors import Conflict
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import training_spec

#: from the request to the job's end: a 0.5 s poll, Tune stopping two trials, runs reconciled
CANCEL_DEADLINE_S = 60.0


def slow_fn(config: dict[str, Any]) -> None:
    for epoch in range(config["epochs"]):
        time.sleep(0.5)
        matih.report({"loss": 1.0 / (epoch + 1)})


@pytest.mark.parametrize("samples", [2, 1], ids=["tune-search", "single-trial"])
def test_a_cancel_request_from_the_server_ends_the_job_killed(
    ray_session: None, workbench: Workbench, server: Workbench, client: MlflowClient, samples: int
) -> None:
    spec = training_spec(
        experiment="cancel-request", epochs=400, metric="loss", num_samples=samples, max_concurrent=2
    )
    job_id = workbench.training.start(spec, slow_fn).job_id
    deadline = time.monotonic() + 180  # generous: trial actors start slowly on a loaded 2-core machine
    while not ((trials := workbench.training.get(job_id).trials) and all(t.iterations >= 1 for t in trials)):
        assert time.monotonic() < deadline, "trials never reported"
        time.sleep(0.2)
    seen = server.jobs.get(job_id)
    assert seen.status == "RUNNING" and not seen.cancel_requested

    requested = time.monotonic()
    summary = server.jobs.request_cancel(job_id)
    assert summary.status == "RUNNING" and summary.cancel_requested
    result = workbench.training.wait(job_id, timeout=CANCEL_DEADLINE_S)
    took = time.monotonic() - requested
    print(f"cancel request -> job ended: {took:.1f} s")
    assert result.status == "KILLED", f"still {result.status} {took:.0f} s after the request"
    assert result.error == "cancelled"

    parent = client.get_run(result.parent_run_id)
    assert parent.info.status == "KILLED"
    children = client.search_runs(
        [result.experiment_id], f"tags.mlflow.parentRunId = '{result.parent_run_id}'"
    )
    assert len(children) == samples and all(c.info.status == "KILLED" for c in children)

    ended = [e for e in server.events.list(limit=1000).events if e.payload.get("job_id") == job_id]
    assert [e.type for e in ended][-2:] == [
        EventType.MODEL_TRAINING_CANCEL_REQUESTED,
        EventType.MODEL_TRAINING_FAILED,
    ]
    assert ended[-1].payload["status"] == "KILLED" and ended[-2].payload["requested_by"] == "panel-user"
    final = server.jobs.get(job_id)
    assert final.status == "KILLED" and final.cancel_requested
    with pytest.raises(Conflict):
        server.jobs.request_cancel(job_id)
    # The kernel stops polling the events store once it has no job running.
    deadline = time.monotonic() + 5
    while workbench.training._watcher.running:
        assert time.monotonic() < deadline, "the cancel-request watcher outlived the job"
        time.sleep(0.1)
