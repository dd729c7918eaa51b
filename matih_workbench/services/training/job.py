"""The state of one training job while it runs: trials as Tune reports them, thread-safe snapshots."""

from __future__ import annotations

import threading
import time
from typing import Literal

from matih_workbench.backends.mlflow.training_runs import ChildRun
from matih_workbench.backends.ray.plans import TrialEvent
from matih_workbench.backends.storage import CheckpointUploader
from matih_workbench.models.training import JobStatus, TrainingResult, TrainingSpec, TrialResult, TrialStatus

_ENDED: frozenset[str] = frozenset({"TERMINATED", "ERROR", "KILLED"})


class TrainingJob:
    """Updated from Tune's callback thread, read by any adapter through ``snapshot()``."""

    def __init__(self, job_id: str, spec: TrainingSpec, experiment_id: str, parent_run_id: str) -> None:
        self.job_id = job_id
        self.spec = spec
        self.experiment_id = experiment_id
        self.parent_run_id = parent_run_id
        self.status: JobStatus = "RUNNING"
        self.error: str | None = None
        self.started = time.time()
        self.ended: float | None = None
        self.cancel_event = threading.Event()
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.recorder: threading.Thread | None = None
        self.uploader: CheckpointUploader | None = None
        self._trials: dict[str, TrialResult] = {}
        self._curves: dict[str, dict[int, float]] = {}  # trial -> epoch -> value of the job metric
        self._lock = threading.Lock()

    def on_trial(self, event: TrialEvent) -> None:
        trial_id, status, metrics = event.trial_id, event.status, event.metrics
        with self._lock:
            trial = self._trials.setdefault(trial_id, TrialResult(trial_id=trial_id, status="PENDING"))
            trial.config = {k: v for k, v in event.config.items() if k != "epochs"}
            if metrics:
                trial.run_id = str(metrics.get("matih_run_id") or trial.run_id or "") or None
                trial.iterations = int(metrics.get("training_iteration", trial.iterations))
                trial.metrics = {
                    k: float(v)
                    for k, v in metrics.items()
                    if isinstance(v, int | float) and not isinstance(v, bool) and not _internal(k)
                }
                value = trial.metrics.get(self.spec.metric or "")
                if value is not None and trial.iterations > 0:
                    self._curves.setdefault(trial_id, {})[trial.iterations] = value
            if status == "TERMINATED" and self.cancel_event.is_set() and trial.status == "RUNNING":
                status = "KILLED"  # stopped by the cancel, not finished
            if trial.status not in _ENDED:
                trial.status = _trial_status(status)
            if event.error:
                trial.error = event.error

    def set_trial_runs(self, runs: dict[str, ChildRun]) -> None:
        """Run ids and, where Tune had none, the error the trial recorded in its run."""
        with self._lock:
            for trial_id, run in runs.items():
                if trial_id in self._trials:
                    trial = self._trials[trial_id]
                    trial.run_id = run.run_id
                    if run.error and trial.status == "ERROR" and trial.error in (None, "trial failed"):
                        trial.error = run.error

    def curves(self) -> dict[str, list[tuple[int, float]]]:
        """Every reported value of the job metric, by trial and epoch."""
        with self._lock:
            return {trial: sorted(series.items()) for trial, series in self._curves.items()}

    def trials(self) -> list[TrialResult]:
        with self._lock:
            return [t.model_copy(deep=True) for t in self._trials.values()]

    def finish(self, status: JobStatus, error: str | None = None) -> None:
        with self._lock:
            for trial in self._trials.values():
                if trial.status in ("RUNNING", "PENDING"):
                    trial.status = "KILLED" if status == "KILLED" else "TERMINATED"
            self.status, self.error, self.ended = status, error, time.time()
        self.done.set()

    def best(self) -> TrialResult | None:
        metric, mode = self.spec.metric, self.spec.mode or "max"
        if not metric:
            return None
        scored = [t for t in self.trials() if t.status != "ERROR" and metric in t.metrics]
        if not scored:
            return None
        pick = min if mode == "min" else max
        return pick(scored, key=lambda t: t.metrics[metric])

    def snapshot(self) -> TrainingResult:
        best = self.best()
        return TrainingResult(
            job_id=self.job_id,
            experiment_id=self.experiment_id,
            experiment=self.spec.experiment,
            parent_run_id=self.parent_run_id,
            status=self.status,
            metric=self.spec.metric,
            mode=self.spec.mode,
            best_run_id=best.run_id if best else None,
            best_trial_id=best.trial_id if best else None,
            best_config=best.config if best else {},
            best_metrics=best.metrics if best else {},
            trials=self.trials(),
            started=self.started,
            ended=self.ended,
            error=self.error,
        )


def _internal(key: str) -> bool:
    return key in {"done", "timestamp", "pid", "time_this_iter_s", "time_since_restore"} or key.startswith(
        ("iterations_since", "time_total", "training_iteration", "matih_")
    )


def _trial_status(status: str) -> TrialStatus:
    known: dict[str, Literal["PENDING", "RUNNING", "TERMINATED", "ERROR", "KILLED"]] = {
        "PENDING": "PENDING",
        "RUNNING": "RUNNING",
        "TERMINATED": "TERMINATED",
        "ERROR": "ERROR",
        "KILLED": "KILLED",
    }
    return known.get(status, "RUNNING")
