"""GET /jobs: training jobs rebuilt from real lifecycle events and real MLflow parent/child runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from matih_workbench.backends.events_store import SqliteEventStore
from matih_workbench.backends.training_runs import TrainingRuns
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import EventType
from matih_workbench.services.events import EventService

API = ("matih", "api", "v1")


class Kernel:
    """Writes what a kernel running ``%%matih train`` writes: runs in MLflow, events in the store."""

    def __init__(self, home: Path) -> None:
        config = WorkbenchConfig(home=str(home))
        config.ensure_home()
        self.runs = TrainingRuns(config.tracking_uri)
        self.events = EventService(SqliteEventStore(home / "events.db"), "alice")

    def start(self, job_id: str, num_samples: int, metric: str | None, mode: str = "max") -> tuple[str, str]:
        experiment_id = self.runs.experiment_id("jobs-test")
        parent = self.runs.create_run(experiment_id, f"train-{job_id}", "alice", {"matih.job_id": job_id})
        self.runs.log(parent, params={"mode": mode, "num_samples": num_samples})
        self.events.emit(
            EventType.MODEL_TRAINING_STARTED,
            parent,
            {"job_id": job_id, "experiment_id": experiment_id, "experiment": "jobs-test",
             "num_samples": num_samples, "metric": metric},
        )  # fmt: skip
        return experiment_id, parent

    def trial(self, experiment_id: str, parent: str, n: int, status: str, value: float | None) -> str:
        run = self.runs.create_run(
            experiment_id, f"trial-{n}", "alice", {"matih.trial_id": f"t{n}"}, parent_run_id=parent
        )
        if value is not None:
            self.runs.log_metrics(run, {"val_loss": value})
        if status != "RUNNING":
            self.runs.terminate(run, status)
        return run


@pytest.fixture
def kernel(matih_home: Path) -> Kernel:
    return Kernel(matih_home)


async def get_json(jp_fetch: Any, *path: str, **params: Any) -> Any:
    response = await jp_fetch(*API, *path, params=params, method="GET")
    return json.loads(response.body)


async def test_no_jobs(jp_fetch: Any, kernel: Kernel) -> None:
    assert await get_json(jp_fetch, "jobs") == {"jobs": []}


async def test_running_then_finished_job(jp_fetch: Any, kernel: Kernel) -> None:
    experiment_id, parent = kernel.start("job1", num_samples=4, metric="val_loss", mode="min")
    kernel.trial(experiment_id, parent, 1, "FINISHED", 0.40)
    best = kernel.trial(experiment_id, parent, 2, "FINISHED", 0.25)
    kernel.trial(experiment_id, parent, 3, "RUNNING", 0.30)

    (job,) = (await get_json(jp_fetch, "jobs"))["jobs"]
    assert job["job_id"] == "job1" and job["status"] == "RUNNING" and job["user"] == "alice"
    assert job["experiment"] == "jobs-test" and job["experiment_id"] == experiment_id
    assert job["parent_run_id"] == parent and job["ended"] is None
    assert (job["trials_total"], job["trials_done"], job["trials_running"]) == (4, 2, 1)
    assert job["metric"] == "val_loss" and job["mode"] == "min"
    assert job["best_value"] == pytest.approx(0.25) and job["best_run_id"] == best

    # Progress moves with the runs, without any event; a failed trial never wins.
    kernel.trial(experiment_id, parent, 4, "FAILED", 0.10)
    job = await get_json(jp_fetch, "jobs", "job1")
    assert (job["trials_done"], job["trials_failed"], job["best_value"]) == (3, 1, pytest.approx(0.25))

    kernel.runs.terminate(parent, "FINISHED")
    kernel.events.emit(
        EventType.MODEL_TRAINING_COMPLETED,
        parent,
        {"job_id": "job1", "status": "FINISHED", "error": None, "best_run_id": best,
         "best_metrics": {"val_loss": 0.25}, "failed_trials": 1},
    )  # fmt: skip
    job = await get_json(jp_fetch, "jobs", "job1")
    assert job["status"] == "FINISHED" and job["ended"] >= job["started"]
    assert job["best_run_id"] == best and job["best_value"] == pytest.approx(0.25)


async def test_failed_job_and_order(jp_fetch: Any, kernel: Kernel) -> None:
    kernel.start("old", num_samples=1, metric=None)
    _, parent = kernel.start("new", num_samples=2, metric="accuracy")
    kernel.events.emit(
        EventType.MODEL_TRAINING_FAILED,
        parent,
        {"job_id": "new", "status": "FAILED", "error": "ValueError: boom", "best_metrics": {}},
    )
    jobs = (await get_json(jp_fetch, "jobs"))["jobs"]
    assert [j["job_id"] for j in jobs] == ["new", "old"]
    assert jobs[0]["status"] == "FAILED" and jobs[0]["error"] == "ValueError: boom"
    assert jobs[0]["mode"] == "max" and jobs[0]["best_value"] is None
    assert jobs[1]["status"] == "RUNNING" and jobs[1]["metric"] is None
    assert [j["job_id"] for j in (await get_json(jp_fetch, "jobs", limit="1"))["jobs"]] == ["new"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [(("jobs", "nope"), {}, 404), (("jobs",), {"limit": "0"}, 400), (("jobs",), {"limit": "x"}, 400)],
)
async def test_errors_are_json(
    jp_fetch: Any, kernel: Kernel, path: tuple[str, ...], params: dict[str, str], status: int
) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path, params=params, method="GET")
    assert info.value.code == status
    body = json.loads(info.value.response.body)
    assert body["message"] and body["reason"] in ("not_found", "invalid_input")
