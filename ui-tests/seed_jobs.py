"""Training jobs for the UI tests, written as a kernel running ``%%matih train`` writes them.

Parent and child runs go to MLflow through the workbench's ``TrainingRuns`` backend, lifecycle events to
the events store through ``EventService``, with the payloads ``TrainingService`` emits. No Ray: the side
panel only sees these stores, so this is exactly what it would see of a real job.

    python ui-tests/seed_jobs.py HOME                      two ended jobs (one finished, one failed)
    python ui-tests/seed_jobs.py HOME start JOB TOTAL      a running job asking for TOTAL trials
    python ui-tests/seed_jobs.py HOME trial JOB VALUE...   finished trials with these accuracies
    python ui-tests/seed_jobs.py HOME finish JOB           the job completes (best trial wins)
"""

from __future__ import annotations

import sys
from pathlib import Path

from matih_workbench.backends.stores.events import SqliteEventStore
from matih_workbench.backends.mlflow.training_runs import TrainingRuns
from matih_workbench.models import EventType
from matih_workbench.services.events import EventService

EXPERIMENT = "tuning-demo"
METRIC = "accuracy"


class FakeKernel:
    def __init__(self, home: Path) -> None:
        self.runs = TrainingRuns(f"sqlite:///{home / 'mlflow.db'}")
        self.events = EventService(SqliteEventStore(home / "events.db"), "galata")
        found = self.runs.client.get_experiment_by_name(EXPERIMENT)
        self.experiment_id = (
            found.experiment_id
            if found
            else self.runs.client.create_experiment(EXPERIMENT, (home / "artifacts").resolve().as_uri())
        )

    def start(self, job_id: str, total: int) -> str:
        parent = self.runs.create_run(
            self.experiment_id, f"train-{job_id}", "galata", {"matih.job_id": job_id}
        )
        self.runs.log(parent, params={"metric": METRIC, "mode": "max", "num_samples": total})
        self.events.emit(
            EventType.MODEL_TRAINING_STARTED,
            parent,
            {"job_id": job_id, "experiment_id": self.experiment_id, "experiment": EXPERIMENT,
             "num_samples": total, "metric": METRIC},
        )  # fmt: skip
        return parent

    def trial(self, job_id: str, value: float, status: str = "FINISHED") -> str:
        parent = self._parent(job_id)
        n = len(self.runs.children(self.experiment_id, parent)) + 1
        run = self.runs.create_run(
            self.experiment_id,
            f"{job_id}-trial-{n}",
            "galata",
            {"matih.job_id": job_id, "matih.trial_id": f"{job_id}_{n:05d}"},
            parent_run_id=parent,
        )
        self.runs.log(run, params={"lr": 0.01 * n})
        self.runs.log_metrics(run, {METRIC: value})
        self.runs.terminate(run, status)
        return run

    def finish(self, job_id: str, error: str | None = None) -> None:
        parent = self._parent(job_id)
        trials = self.runs.client.search_runs([self.experiment_id], f"tags.`mlflow.parentRunId` = '{parent}'")
        scored = [t for t in trials if t.info.status == "FINISHED" and METRIC in t.data.metrics]
        best = max(scored, key=lambda t: t.data.metrics[METRIC]) if scored else None
        status = "FAILED" if error else "FINISHED"
        self.runs.terminate(parent, status)
        self.events.emit(
            EventType.MODEL_TRAINING_FAILED if error else EventType.MODEL_TRAINING_COMPLETED,
            parent,
            {"job_id": job_id, "status": status, "error": error,
             "best_run_id": best.info.run_id if best else None,
             "best_metrics": {METRIC: best.data.metrics[METRIC]} if best else {},
             "failed_trials": sum(t.info.status == "FAILED" for t in trials)},
        )  # fmt: skip

    def _parent(self, job_id: str) -> str:
        found = self.runs.client.search_runs(
            [self.experiment_id],
            f"tags.`matih.job_id` = '{job_id}' and tags.`mlflow.runName` = 'train-{job_id}'",
        )
        assert found, f"no job {job_id}: start it first"
        return str(found[0].info.run_id)


def seed(home: Path) -> None:
    kernel = FakeKernel(home)
    kernel.start("seeded-ok", 4)
    for value in (0.81, 0.93, 0.88, 0.9):
        kernel.trial("seeded-ok", value)
    kernel.finish("seeded-ok")
    kernel.start("seeded-bad", 2)
    kernel.trial("seeded-bad", 0.5, status="FAILED")
    kernel.trial("seeded-bad", 0.4, status="FAILED")
    kernel.finish("seeded-bad", error="every trial failed: ValueError: bad learning rate")


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 1:
        seed(Path(args[0]))
    elif len(args) == 4 and args[1] == "start":
        FakeKernel(Path(args[0])).start(args[2], int(args[3]))
    elif len(args) >= 4 and args[1] == "trial":
        kernel = FakeKernel(Path(args[0]))
        for value in args[3:]:
            kernel.trial(args[2], float(value))
    elif len(args) == 3 and args[1] == "finish":
        FakeKernel(Path(args[0])).finish(args[2])
    else:
        sys.exit(__doc__)
