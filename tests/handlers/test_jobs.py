"""GET /jobs: training jobs rebuilt from real lifecycle events and real MLflow parent/child runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from matih_workbench.backends.mlflow.training_runs import TrainingRuns
from matih_workbench.backends.stores.events import SqliteEventStore
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


async def post_cancel(jp_fetch: Any, job_id: str) -> Any:
    return await jp_fetch(*API, "jobs", job_id, "cancel", method="POST", body=b"")


def cancel_requests(kernel: Kernel) -> list[Any]:
    return [e for e in kernel.events.list().events if e.type is EventType.MODEL_TRAINING_CANCEL_REQUESTED]


AS_ALICE = [{"WorkbenchConfig": {"user": "alice"}}]  # the user whose kernel starts the jobs


@pytest.mark.parametrize("jp_server_config", AS_ALICE, indirect=True)
async def test_cancel_request_is_written_once_for_the_kernel(
    jp_fetch: Any, jp_serverapp: Any, kernel: Kernel
) -> None:
    _, parent = kernel.start("job1", num_samples=2, metric="val_loss")
    response = await post_cancel(jp_fetch, "job1")
    assert response.code == 202
    assert response.headers["Location"].endswith("/matih/api/v1/jobs/job1")
    job = json.loads(response.body)
    assert job["job_id"] == "job1" and job["status"] == "RUNNING" and job["cancel_requested"] is True

    # What the kernel running the job reads: one request, about the job's parent run, naming who asked.
    server_user = jp_serverapp.web_app.settings["matih_workbench"].config.user
    assert [(e.subject, e.payload, e.user) for e in cancel_requests(kernel)] == [
        (parent, {"job_id": "job1", "requested_by": server_user}, server_user)
    ]
    # Asking again while it runs is fine and writes nothing more; every reader sees the request.
    assert (await post_cancel(jp_fetch, "job1")).code == 202
    assert len(cancel_requests(kernel)) == 1
    assert (await get_json(jp_fetch, "jobs", "job1"))["cancel_requested"] is True
    assert (await get_json(jp_fetch, "jobs"))["jobs"][0]["cancel_requested"] is True

    # The kernel stops the job: the request is answered, a new one is a conflict.
    kernel.runs.terminate(parent, "KILLED")
    kernel.events.emit(
        EventType.MODEL_TRAINING_FAILED, parent, {"job_id": "job1", "status": "KILLED", "error": "cancelled"}
    )
    job = await get_json(jp_fetch, "jobs", "job1")
    assert job["status"] == "KILLED" and job["cancel_requested"] is True
    with pytest.raises(HTTPClientError) as info:
        await post_cancel(jp_fetch, "job1")
    assert info.value.code == 409
    body = json.loads(info.value.response.body)
    assert body["reason"] == "conflict" and "already ended (KILLED)" in body["message"]


@pytest.mark.parametrize(
    ("job_id", "status", "reason"),
    [("nope", 404, "not_found"), ("bad id!", 400, "invalid_input"), ("x" * 300, 400, "invalid_input")],
)
async def test_cancel_errors_are_json(
    jp_fetch: Any, kernel: Kernel, job_id: str, status: int, reason: str
) -> None:
    kernel.start("job1", num_samples=1, metric=None)
    with pytest.raises(HTTPClientError) as info:
        await post_cancel(jp_fetch, job_id)
    assert info.value.code == status
    body = json.loads(info.value.response.body)
    assert (
        body["reason"] == reason and body["message"] and "Traceback" not in info.value.response.body.decode()
    )
    assert not cancel_requests(kernel)


async def test_a_job_whose_kernel_ended_it_without_an_event_cannot_be_cancelled(
    jp_fetch: Any, kernel: Kernel
) -> None:
    _, parent = kernel.start("gone", num_samples=1, metric=None)
    kernel.runs.terminate(parent, "FAILED")  # the kernel died; MLflow has the last word
    with pytest.raises(HTTPClientError) as info:
        await post_cancel(jp_fetch, "gone")
    assert info.value.code == 409 and json.loads(info.value.response.body)["details"] == {"status": "FAILED"}


@pytest.mark.parametrize(
    "jp_server_config", [{"WorkbenchConfig": {"user": "bob", "registry_leads": ["lead"]}}], indirect=True
)
async def test_only_the_jobs_owner_or_a_lead_cancels_it(jp_fetch: Any, kernel: Kernel) -> None:
    kernel.start("job1", num_samples=2, metric="val_loss")
    with pytest.raises(HTTPClientError) as info:
        await post_cancel(jp_fetch, "job1")
    body = json.loads(info.value.response.body)
    assert info.value.code == 403 and body["reason"] == "forbidden"
    assert body["message"] == "bob may not cancel training job 'job1' of alice"
    assert "its owner (alice) or a lead" in body["hint"] and "lead" in body["hint"]
    assert not cancel_requests(kernel)  # refused: nothing reaches the kernel
    assert (await get_json(jp_fetch, "jobs", "job1"))["cancel_requested"] is False


@pytest.mark.parametrize(
    "jp_server_config", [{"WorkbenchConfig": {"user": "lead", "registry_leads": ["lead"]}}], indirect=True
)
async def test_a_lead_cancels_anyones_job(jp_fetch: Any, kernel: Kernel) -> None:
    kernel.start("job1", num_samples=2, metric="val_loss")
    assert (await post_cancel(jp_fetch, "job1")).code == 202
    assert [e.payload["requested_by"] for e in cancel_requests(kernel)] == ["lead"]
