"""Cancel requests through the shared events store: JobsService writes them (server), CancelRequestWatcher
obeys them (kernel). Real SQLite events store, real MLflow runs, real TrainingJob objects (no Ray here: the
end-to-end cancel of a Ray job is in tests/training/test_cancel_request.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.backends.stores.events import SqliteEventStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Conflict, InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.events import EventService
from matih_workbench.services.training.control import CancelRequestWatcher, owner, owner_exited
from matih_workbench.services.training.job import TrainingJob
from matih_workbench.services.training.service import training_spec


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def start_job(kernel: Workbench, job_id: str, started_by: dict[str, Any] | None = None) -> str:
    """What TrainingService.start writes for a job: its parent run and MODEL_TRAINING_STARTED, stamped
    with the process running it (this one unless ``started_by`` says otherwise)."""
    runs = kernel.training.runs
    experiment_id = runs.experiment_id("cancel-requests")
    parent = runs.create_run(experiment_id, f"train-{job_id}", "alice", {"matih.job_id": job_id})
    kernel.events.emit(
        EventType.MODEL_TRAINING_STARTED,
        parent,
        {"job_id": job_id, "experiment_id": experiment_id, "experiment": "cancel-requests", "num_samples": 2,
         "metric": "loss", **(started_by or owner())},
    )  # fmt: skip
    return parent


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def stamp(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """The owner fields a job started in ``process`` would carry."""
    return {**owner(), "pid": process.pid, "pid_started": psutil.Process(process.pid).create_time()}


def cancel_requests(events: EventService) -> list[tuple[str, dict[str, object], str]]:
    found = [e for e in events.list(limit=1000).events if e.type is EventType.MODEL_TRAINING_CANCEL_REQUESTED]
    return [(e.subject, e.payload, e.user) for e in found]


def test_request_cancel_writes_one_request_for_a_running_job(workbench: Workbench, server: Workbench) -> None:
    parent = start_job(workbench, "a1b2c3d4e5f6")
    assert server.jobs.get("a1b2c3d4e5f6").cancel_requested is False

    summary = server.jobs.request_cancel("a1b2c3d4e5f6")
    assert summary.status == "RUNNING" and summary.cancel_requested and summary.parent_run_id == parent
    again = server.jobs.request_cancel("a1b2c3d4e5f6")  # idempotent while it runs
    assert again.cancel_requested and again.status == "RUNNING"
    expected = [(parent, {"job_id": "a1b2c3d4e5f6", "requested_by": "panel-user"}, "panel-user")]
    assert cancel_requests(workbench.events) == expected

    # Another server process (a restart) rebuilds the flag from the events alone.
    other = Workbench.from_config(WorkbenchConfig(user="someone-else", registry_leads=["someone-else"]))
    assert other.jobs.get("a1b2c3d4e5f6").cancel_requested is True
    other.jobs.request_cancel("a1b2c3d4e5f6")
    assert cancel_requests(workbench.events) == expected


def test_request_cancel_refuses_unknown_malformed_and_ended_jobs(
    workbench: Workbench, server: Workbench
) -> None:
    with pytest.raises(NotFound):
        server.jobs.request_cancel("0123456789ab")
    for bad in ("", "bad id", "../jobs", "-x", "x" * 129, "job\n1"):
        with pytest.raises(InvalidInput):
            server.jobs.request_cancel(bad)

    parent = start_job(workbench, "done1")
    workbench.training.runs.terminate(parent, "FINISHED")
    workbench.events.emit(
        EventType.MODEL_TRAINING_COMPLETED,
        parent,
        {"job_id": "done1", "status": "FINISHED", "best_metrics": {}},
    )
    with pytest.raises(Conflict) as info:
        server.jobs.request_cancel("done1")
    assert info.value.status == 409 and info.value.details == {"status": "FINISHED"}
    assert cancel_requests(workbench.events) == []


def _job(job_id: str) -> TrainingJob:
    return TrainingJob(job_id, training_spec(experiment="watched"), "0", f"parent-{job_id}")


def test_watcher_cancels_only_the_job_named_and_only_for_new_requests(matih_home: Path) -> None:
    kernel = EventService(SqliteEventStore(matih_home / "events.db"), "alice")
    panel = EventService(SqliteEventStore(matih_home / "events.db"), "panel-user")  # another connection
    panel.emit(EventType.MODEL_TRAINING_CANCEL_REQUESTED, "old", {"job_id": "job-a", "requested_by": "x"})
    watcher = CancelRequestWatcher(kernel, poll_seconds=0.05)
    job_a, job_b = _job("job-a"), _job("job-b")
    watcher.watch(job_a)
    watcher.watch(job_b)
    thread = watcher._thread
    assert watcher.running and thread is not None and thread.is_alive()

    # A request written before the job was watched is not replayed; one for another job changes nothing.
    panel.emit(EventType.MODEL_TRAINING_CANCEL_REQUESTED, "p", {"job_id": "elsewhere", "requested_by": "x"})
    panel.emit(EventType.RUNS_CHANGED, "1", {"experiment_id": "1"})
    time.sleep(0.5)  # ten polls
    assert not job_a.cancel_event.is_set() and not job_b.cancel_event.is_set()

    panel.emit(
        EventType.MODEL_TRAINING_CANCEL_REQUESTED, "parent-job-b", {"job_id": "job-b", "requested_by": "x"}
    )
    assert eventually(job_b.cancel_event.is_set, 2.0)
    assert not job_a.cancel_event.is_set()

    # The thread outlives no job: it stops once both have ended...
    job_b.finish("KILLED", "cancelled")
    time.sleep(0.3)
    assert watcher.running  # job-a still runs
    job_a.finish("FINISHED")
    assert eventually(lambda: not watcher.running, 2.0)
    thread.join(2.0)
    assert not thread.is_alive()

    # ...and starts again, from the newest event, for the next job.
    job_c = _job("job-c")
    watcher.watch(job_c)
    assert watcher.running
    panel.emit(
        EventType.MODEL_TRAINING_CANCEL_REQUESTED, "parent-job-c", {"job_id": "job-c", "requested_by": "x"}
    )
    assert eventually(job_c.cancel_event.is_set, 2.0)
    job_c.finish("KILLED")
    assert eventually(lambda: not watcher.running, 2.0)


def test_owner_exited_only_for_a_process_of_this_host_that_is_gone() -> None:
    assert not owner_exited(owner())
    process = sleeper()
    started_by = stamp(process)
    assert not owner_exited(started_by)
    process.kill()
    assert eventually(lambda: owner_exited(started_by), 5.0)  # exited, not reaped yet (a zombie)
    process.wait()
    assert owner_exited(started_by)  # gone
    assert owner_exited({**owner(), "pid_started": owner()["pid_started"] - 60})  # pid reused since
    assert not owner_exited({**started_by, "host": socket.gethostname() + "-elsewhere"})  # cannot tell
    assert not owner_exited({**started_by, "pid_ns": "pid:[1]"})  # another container of the same name
    assert not owner_exited({})  # a job from a version that did not record its owner
    assert not owner_exited({**started_by, "pid": "12"})


def test_a_job_whose_kernel_exited_is_ended_failed_once_by_the_server(
    workbench: Workbench, server: Workbench, client: MlflowClient
) -> None:
    process = sleeper()
    parent = start_job(workbench, "0rphan", stamp(process))
    runs = workbench.training.runs
    experiment_id = runs.experiment_id("cancel-requests")
    running = runs.create_run(experiment_id, "trial-1", "alice", {}, parent_run_id=parent)
    finished = runs.create_run(experiment_id, "trial-2", "alice", {}, parent_run_id=parent)
    runs.log_metrics(finished, {"loss": 0.25})
    runs.terminate(finished, "FINISHED")
    assert server.jobs.get("0rphan").status == "RUNNING"  # its kernel still runs

    process.kill()
    process.wait()
    job = server.jobs.get("0rphan")
    assert job.status == "FAILED" and job.ended is not None
    assert job.error and f"pid {process.pid}" in job.error and "exited" in job.error
    assert job.trials_done == 2 and job.trials_failed == 1 and job.trials_running == 0
    assert job.best_run_id == finished and job.best_value == 0.25  # what it had reached is kept
    for run_id, status in ((parent, "FAILED"), (running, "FAILED"), (finished, "FINISHED")):
        run = client.get_run(run_id)
        assert run.info.status == status
        assert ("matih.error" in run.data.tags) == (status == "FAILED")

    # Ended once: another server (restart, second pod on the host) sees the ending, writes none.
    Workbench.from_config(WorkbenchConfig(user="someone-else")).jobs.list()
    server.jobs.list()
    ended = [
        e for e in workbench.events.list(limit=1000).events
        if e.type is EventType.MODEL_TRAINING_FAILED and e.payload["job_id"] == "0rphan"
    ]  # fmt: skip
    assert len(ended) == 1 and ended[0].payload["ended_by"] == "server" and ended[0].user == "panel-user"
    with pytest.raises(Conflict):
        server.jobs.request_cancel("0rphan")
