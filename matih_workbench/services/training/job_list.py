"""Training jobs of the workspace, rebuilt from the events store and the tracking store.

A job runs in a kernel, not in the server: what the server knows of it is what the kernel wrote, the
MODEL_TRAINING_STARTED / COMPLETED / FAILED events and the parent and child MLflow runs. Progress (trials
ended, best value so far) comes from the child runs, so it moves while the job runs.

Nor can the server stop a job itself: ``request_cancel`` writes MODEL_TRAINING_CANCEL_REQUESTED to the events
store, and the kernel running the job (``services/training/control.py``) reads it and cancels the job there.

A job whose kernel died mid-job died with it, yet nothing ended its runs: when the server sees that the
process that started a job (same host) has exited, it ends the job FAILED in its place, once: the parent
and unfinished child runs FAILED with the reason, and MODEL_TRAINING_FAILED in the events store.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from matih_workbench.backends.contracts import RunRecord
from matih_workbench.errors import Conflict, Forbidden, InvalidInput, NotFound, shown
from matih_workbench.models import EventType, WorkbenchEvent
from matih_workbench.models.training import JobStatus, TrainingJobSummary, TrainingJobSummaryList
from matih_workbench.services.events import MAX_EVENTS_PAGE, EventService
from matih_workbench.services.registry.stages import Roles
from matih_workbench.services.tracking.service import metric_mode
from matih_workbench.services.training.control import owner_exited

MAX_JOBS = 200
MAX_TRIALS = 10_000
_ENDED_STATUS: dict[str, JobStatus] = {"FINISHED": "FINISHED", "FAILED": "FAILED", "KILLED": "KILLED"}
_ENDED_RUN = frozenset(_ENDED_STATUS)
Runs = list[RunRecord]
_TRAINING = frozenset(
    {EventType.MODEL_TRAINING_STARTED, EventType.MODEL_TRAINING_COMPLETED, EventType.MODEL_TRAINING_FAILED,
     EventType.MODEL_TRAINING_CANCEL_REQUESTED}
)  # fmt: skip
#: what ``%%matih train`` generates (12 hex digits), and any id a job could plausibly have been given
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class RunReader(Protocol):
    def search_runs(
        self,
        experiment_ids: list[str],
        filter_string: str | None,
        order_by: list[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RunRecord], int | None]: ...

    def runs(self, run_ids: list[str]) -> list[RunRecord]: ...


class RunWriter(Protocol):
    def terminate(self, run_id: str, status: str) -> None: ...
    def log(
        self, run_id: str, params: dict[str, Any] | None = None, tags: dict[str, str] | None = None
    ) -> None: ...


@dataclass
class _Job:
    """What the events say about one job."""

    started: WorkbenchEvent
    ended: WorkbenchEvent | None = None
    cancel_requested: bool = False
    final: TrainingJobSummary | None = None  # cached once ended: its runs no longer change


class JobsService:
    """Lists training jobs; reads only the events it has not seen yet, then the runs of each job."""

    def __init__(self, events: EventService, runs: RunReader, writer: RunWriter, roles: Roles) -> None:
        self.events = events
        self.runs = runs
        self.writer = writer
        self.roles = roles
        self._jobs: dict[str, _Job] = {}
        self._after = 0
        self._lock = threading.Lock()

    def list(self, limit: int = 50) -> TrainingJobSummaryList:
        if not 1 <= limit <= MAX_JOBS:
            raise InvalidInput(f"limit must be between 1 and {MAX_JOBS}, got {limit}")
        with self._lock:
            self._catch_up()
            jobs = sorted(self._jobs.values(), key=lambda j: j.started.id, reverse=True)[:limit]
            return TrainingJobSummaryList(jobs=[self._summary(job) for job in jobs])

    def get(self, job_id: str) -> TrainingJobSummary:
        with self._lock:
            return self._summary(self._known(job_id))

    def request_cancel(self, job_id: str) -> TrainingJobSummary:
        """Ask the kernel running a job to cancel it; the job ends KILLED when that kernel has stopped it.

        Only the job's owner (who started it) or a lead may. Idempotent while the job runs (one request is
        written); Conflict once the job has ended.
        """
        if not _JOB_ID.fullmatch(job_id):
            raise InvalidInput(
                f"'{shown(job_id)}' is not a training job id", hint="%matih train returns the job id"
            )
        with self._lock:
            job = self._known(job_id)
            summary = self._summary(job)
            if summary.status != "RUNNING":
                raise Conflict(
                    f"Training job '{job_id}' has already ended ({summary.status})",
                    details={"status": summary.status},
                )
            if summary.user != self.roles.user and not self.roles.is_lead():
                raise Forbidden(
                    f"{self.roles.user} may not cancel training job '{job_id}' of {summary.user}",
                    hint=f"its owner ({summary.user}) or a lead (WorkbenchConfig.registry_leads: "
                    f"{', '.join(self.roles.leads) or 'none'}; registry_lead_groups) may cancel it",
                )
            if not job.cancel_requested:
                self.events.emit(
                    EventType.MODEL_TRAINING_CANCEL_REQUESTED,
                    job.started.subject,
                    {"job_id": job_id, "requested_by": self.events.user},
                )
                job.cancel_requested = True
            return summary.model_copy(update={"cancel_requested": True})

    # -- internals ------------------------------------------------------------------------------
    def _known(self, job_id: str) -> _Job:
        """The job, after reading the events not seen yet (call with the lock held)."""
        self._catch_up()
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"Training job '{job_id}' not found", hint="%matih train returns the job id")
        return job

    def _catch_up(self) -> None:
        while True:
            page = self.events.list(self._after, MAX_EVENTS_PAGE).events
            for event in page:
                self._apply(event)
                self._after = event.id
            if len(page) < MAX_EVENTS_PAGE:
                return

    def _apply(self, event: WorkbenchEvent) -> None:
        if event.type not in _TRAINING:
            return
        job_id = str(event.payload.get("job_id") or "")
        if not job_id:
            return
        if event.type is EventType.MODEL_TRAINING_STARTED:
            self._jobs[job_id] = _Job(started=event)
        elif event.type is EventType.MODEL_TRAINING_CANCEL_REQUESTED:
            if job_id in self._jobs:
                self._jobs[job_id].cancel_requested = True
        elif job_id in self._jobs:
            job = self._jobs[job_id]
            job.ended, job.final = event, None

    def _summary(self, job: _Job) -> TrainingJobSummary:
        if job.final is not None:
            return job.final
        start = job.started.payload
        parent = job.started.subject
        experiment_id = str(start.get("experiment_id") or "")
        metric = start.get("metric") or None
        parent_run = self._run(parent)
        mode = _mode(parent_run, metric)
        trials = self._children(experiment_id, parent)
        if _status(job, parent_run) == "RUNNING" and owner_exited(job.started.payload):
            self._end_orphan(job, trials)
            parent_run, trials = self._run(parent), self._children(experiment_id, parent)
        ended = job.ended.payload if job.ended else {}
        status = _status(job, parent_run)
        best_run_id, best_value = _best(trials, metric, mode)
        if job.ended is not None and "best_run_id" in ended:  # the job's own verdict, as it ended
            best_run_id = ended.get("best_run_id") or None
            best_value = _float((ended.get("best_metrics") or {}).get(metric or ""))
        summary = TrainingJobSummary(
            job_id=str(start["job_id"]),
            experiment_id=experiment_id,
            experiment=str(start.get("experiment") or ""),
            parent_run_id=parent,
            user=job.started.user,
            status=status,
            metric=metric,
            mode=mode,
            trials_total=max(int(start.get("num_samples") or 1), len(trials)),
            trials_done=sum(t.status in _ENDED_RUN for t in trials),
            trials_running=sum(t.status not in _ENDED_RUN for t in trials),
            trials_failed=sum(t.status == "FAILED" for t in trials),
            best_run_id=best_run_id,
            best_value=best_value,
            started=job.started.time,
            ended=job.ended.time if job.ended else _ended_ms(parent_run),
            error=ended.get("error") or None,
            cancel_requested=job.cancel_requested,
        )
        if job.ended is not None:
            job.final = summary
        return summary

    def _end_orphan(self, job: _Job, trials: Runs) -> None:
        """End a job whose kernel exited before it did: its runs FAILED with the reason, then the event."""
        start = job.started.payload
        error = f"the kernel running this job exited before it ended (pid {start['pid']} on {start['host']})"
        for run_id in [t.run_id for t in trials if t.status not in _ENDED_RUN] + [job.started.subject]:
            try:
                self.writer.log(run_id, tags={"matih.error": error})
                self.writer.terminate(run_id, "FAILED")
            except NotFound:
                continue
        job.ended = self.events.emit(
            EventType.MODEL_TRAINING_FAILED,
            job.started.subject,
            {"job_id": str(start["job_id"]), "status": "FAILED", "error": error, "ended_by": "server"},
        )

    def _run(self, run_id: str) -> RunRecord | None:
        try:
            return self.runs.runs([run_id])[0]
        except NotFound:
            return None

    def _children(self, experiment_id: str, parent_run_id: str) -> Runs:
        if not experiment_id or "'" in parent_run_id:
            return []
        try:
            found, _ = self.runs.search_runs(
                [experiment_id], f"tags.`mlflow.parentRunId` = '{parent_run_id}'", None, 0, MAX_TRIALS
            )
        except NotFound:
            return []
        return found


def _status(job: _Job, parent: RunRecord | None) -> JobStatus:
    """The ending event's status; else MLflow's when the parent run ended without one (kernel died)."""
    if job.ended is not None:
        said = _ENDED_STATUS.get(str(job.ended.payload.get("status")))
        ok = job.ended.type is EventType.MODEL_TRAINING_COMPLETED
        return said or ("FINISHED" if ok else "FAILED")
    if parent is not None:
        return _ENDED_STATUS.get(parent.status, "RUNNING")
    return "RUNNING"


def _mode(parent: RunRecord | None, metric: str | None) -> Literal["min", "max"] | None:
    if not metric:
        return None
    recorded = parent.params.get("mode") if parent else None
    if recorded in ("min", "max"):
        return "min" if recorded == "min" else "max"
    return metric_mode(metric)


def _best(
    trials: Runs, metric: str | None, mode: Literal["min", "max"] | None
) -> tuple[str | None, float | None]:
    if not metric:
        return None, None
    scored = [
        (t.metrics[metric], t.run_id)
        for t in trials
        if t.status != "FAILED" and t.metrics.get(metric) is not None
    ]
    if not scored:
        return None, None
    value, run_id = (min if mode == "min" else max)(scored, key=lambda pair: pair[0] or 0.0)
    return run_id, value


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def _ended_ms(parent: RunRecord | None) -> float | None:
    if parent is None or parent.status not in _ENDED_RUN or parent.end_time is None:
        return None
    return parent.end_time / 1000
