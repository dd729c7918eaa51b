"""Training jobs on Ray, tracked in MLflow: one parent run per job, one child run per Tune trial, or one
child run for a data-parallel Ray Train job (``workers > 1``: XGBoost or PyTorch). A single configuration
on one worker skips Tune: it runs as one plain Ray task on a pre-warmed worker (``backends/ray/single.py``),
which puts its first epoch in MLflow in a fraction of a second instead of the seconds Tune's setup takes.

Everything is validated before anything starts (no MLflow run, no Ray work on bad input). A job runs in a
background thread of this process; ``get``/``wait``/``cancel`` act on it by id. Checkpoints reported by the
workers are copied into their runs' artifacts (local folder or S3) from a background thread.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matih_workbench.backends.contracts import ArtifactStore
from matih_workbench.backends.mlflow.metric_logger import redeliver_spool
from matih_workbench.backends.mlflow.training_runs import GIT_TAGS, TrainingRuns, environment, git_state
from matih_workbench.backends.ray.connection import RayBackend
from matih_workbench.backends.ray.plans import TrainPlan, TunePlan
from matih_workbench.backends.ray.trial import TrialSetup
from matih_workbench.backends.storage import CheckpointUploader, LocalArtifacts
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.models.training import JobStatus, TrainingJobList, TrainingResult, TrainingSpec
from matih_workbench.services.events import EventService
from matih_workbench.services.tracking.service import metric_mode
from matih_workbench.services.training.control import CancelRequestWatcher, owner
from matih_workbench.services.training.job import TrainingJob

__all__ = ["TrainingService", "autolog_wanted", "detect_framework", "single_trial", "training_spec"]

_FRAMEWORK_MARKERS = {"xgboost": ("xgboost", "xgb."), "torch": ("torch",), "sklearn": ("sklearn",)}
#: calls a framework's MLflow autologging captures (not ``partial_fit``); patching costs ~1.7 s a trial
_AUTOLOGGED_CALLS = {
    "sklearn": (".fit(", ".fit_transform(", ".fit_predict("),
    "xgboost": ("xgb.train(", "xgboost.train(", ".fit("),
}
#: framework: (module, extra)
_DATA_PARALLEL = {"xgboost": ("xgboost", "xgboost"), "torch": ("torch", "torch")}


def training_spec(**fields: Any) -> TrainingSpec:
    """A TrainingSpec from plain values; a mistake becomes InvalidInput naming the field."""
    try:
        return TrainingSpec(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(
            f"{where}: {message}" if where else message, hint="%matih train --help lists the options"
        ) from None


def single_trial(spec: TrainingSpec) -> bool:
    """One configuration on one worker with no failure budget: a plain Ray task runs it, not Tune."""
    return (
        spec.workers == 1
        and spec.num_samples == 1
        and not spec.search_space
        and spec.scheduler == "none"
        and spec.max_failures == 0
    )


def autolog_wanted(spec: TrainingSpec, framework: str, source: str | None) -> bool:
    """``--autolog on/off`` as asked; ``auto``: on when the cell calls what the framework's autologging
    captures (a sklearn ``fit``, ``xgb.train``), else off (nothing to capture, only its start-up cost)."""
    if spec.autolog != "auto":
        return spec.autolog == "on"
    return any(call in (source or "") for call in _AUTOLOGGED_CALLS.get(framework, ()))


def detect_framework(source: str | None) -> str:
    """The one framework the cell uses, or ``custom`` when none or several are found."""
    found = [name for name, marks in _FRAMEWORK_MARKERS.items() if any(m in (source or "") for m in marks)]
    return found[0] if len(found) == 1 else "custom"


class TrainingService:
    def __init__(
        self,
        runs: TrainingRuns,
        ray: RayBackend,
        events: EventService,
        user: str,
        home: Path,
        storage: ArtifactStore | None = None,
    ) -> None:
        self.runs = runs
        self.ray = ray
        self.events = events
        self.user = user
        self.home = home
        self.storage = storage or LocalArtifacts()
        self._jobs: dict[str, TrainingJob] = {}
        self._watcher = CancelRequestWatcher(events)  # cancel requests from the side panel (server)

    # -- validation -----------------------------------------------------------------------------
    def validate(
        self, spec: TrainingSpec, train_fn: Any, data: Any = None, cell_source: str | None = None
    ) -> TrainingSpec:
        """Check what Pydantic cannot; returns the spec with mode and framework filled in."""
        if not callable(train_fn):
            raise InvalidInput(
                "No train function: the cell must define train_fn(config)",
                hint="def train_fn(config): ... matih.report({'loss': loss})",
            )
        try:
            params = [
                p
                for p in inspect.signature(train_fn).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            params = []
        if len(params) not in (1, 2):
            raise InvalidInput(
                "train_fn must take (config) or (config, data)", hint="def train_fn(config): ..."
            )
        if spec.data and data is None:
            raise InvalidInput(f"No data named '{spec.data}'", hint="define it in the notebook first")
        source = cell_source or _source(train_fn)
        framework = spec.framework if spec.framework != "auto" else detect_framework(source)
        if spec.workers > 1:
            self._check_data_parallel(framework)
        if spec.search_alg == "optuna" and importlib.util.find_spec("optuna") is None:
            raise InvalidInput(
                "--search-alg optuna needs the optuna package", hint="pip install 'matih-workbench[optuna]'"
            )
        updates: dict[str, Any] = {
            "framework": framework,
            "autolog": "on" if autolog_wanted(spec, framework, source) else "off",
        }
        if spec.metric and spec.mode is None:
            updates["mode"] = metric_mode(spec.metric)
        return spec.model_copy(update=updates)

    # -- jobs -----------------------------------------------------------------------------------
    def start(
        self,
        spec: TrainingSpec,
        train_fn: Callable[..., Any],
        data: Any = None,
        cell_source: str | None = None,
        source_path: str | None = None,
        record_data: Callable[[str], str] | None = None,
    ) -> TrainingResult:
        """Validate, record the parent run and the environment, then run the search in the background.

        ``record_data(parent_run_id)`` records ``data`` on the parent run and returns its digest (a feature
        service's training set logs its lineage so); by default a DataFrame is logged as a dataset input.
        """
        spec = self.validate(spec, train_fn, data, cell_source)
        framework = spec.framework
        self.ray.ensure(spec.address)
        self.ray.warm(self.runs.tracking_uri)
        experiment_id = self.runs.experiment_id(spec.experiment, self.storage.experiment_location())
        job_id = uuid.uuid4().hex[:12]
        tags = {**spec.tags, "matih.job_id": job_id, "matih.framework": framework}
        parent = self.runs.create_run(experiment_id, spec.run_name or f"train-{job_id}", self.user, tags)
        job = TrainingJob(job_id, spec, experiment_id, parent)
        self._jobs[job_id] = job
        self._watcher.watch(job)
        try:
            # lineage (environment, git diff, cell, dataset) is recorded while Ray starts the trials
            job.recorder = threading.Thread(
                target=self._record_start,
                args=(parent, spec, framework, data, cell_source, source_path, record_data),
                name=f"matih-record-{job_id}",
                daemon=True,
            )
            job.recorder.start()
            dataset = data if spec.workers > 1 and self.ray.is_dataset(data) else None
            setup = TrialSetup(
                tracking_uri=self.runs.tracking_uri,
                experiment_id=experiment_id,
                parent_run_id=parent,
                user=self.user,
                spool_dir=str(self.home / "metric-spool"),
                tags={"matih.job_id": job_id, "matih.framework": framework},
                data_ref=self.ray.put(data) if data is not None and dataset is None else None,
                seed=spec.seed,
                autolog=spec.autolog == "on",
                run_id=self._train_run(experiment_id, parent, job_id, spec) if spec.workers > 1 else None,
                dataset=dataset is not None,
            )
        except BaseException as exc:
            self._end(job, "FAILED", f"{type(exc).__name__}: {exc}")
            raise
        self.events.emit(
            EventType.MODEL_TRAINING_STARTED,
            parent,
            {"job_id": job_id, "experiment_id": experiment_id, "experiment": spec.experiment,
             "num_samples": spec.num_samples, "metric": spec.metric, **owner()},
        )  # fmt: skip
        job.uploader = CheckpointUploader(self.runs.client)
        plan: TunePlan | TrainPlan
        if spec.workers > 1:
            plan = TrainPlan(
                spec=spec,
                framework=framework,
                train_fn=train_fn,
                setup=setup,
                storage_path=self.home / "ray_results",
                name=f"matih-{job_id}",
                on_trial=job.on_trial,
                cancel=job.cancel_event,
                on_checkpoint=job.uploader.submit,
                dataset=dataset,
            )
        else:
            plan = TunePlan(
                spec=spec,
                train_fn=train_fn,
                setup=setup,
                storage_path=self.home / "ray_results",
                name=f"matih-{job_id}",
                on_trial=job.on_trial,
                cancel=job.cancel_event,
                on_checkpoint=job.uploader.submit,
            )
        job.thread = threading.Thread(
            target=self._run, args=(job, plan), name=f"matih-train-{job_id}", daemon=True
        )
        job.thread.start()
        return job.snapshot()

    def run(self, spec: TrainingSpec, train_fn: Callable[..., Any], **kwargs: Any) -> TrainingResult:
        """``start`` and wait for the end."""
        return self.wait(self.start(spec, train_fn, **kwargs).job_id)

    def get(self, job_id: str) -> TrainingResult:
        return self._job(job_id).snapshot()

    def curves(self, job_id: str) -> dict[str, list[tuple[int, float]]]:
        """The job metric of every trial by epoch, as reported so far."""
        return self._job(job_id).curves()

    def list(self) -> TrainingJobList:
        return TrainingJobList(jobs=[job.snapshot() for job in self._jobs.values()])

    def is_done(self, job_id: str) -> bool:
        return self._job(job_id).done.is_set()

    def wait(self, job_id: str, timeout: float | None = None) -> TrainingResult:
        job = self._job(job_id)
        job.done.wait(timeout)
        return job.snapshot()

    def cancel(self, job_id: str, timeout: float = 60.0) -> TrainingResult:
        """Stop every trial cleanly; the job and its unfinished trial runs end KILLED."""
        job = self._job(job_id)
        job.cancel_event.set()
        job.done.wait(timeout)
        return job.snapshot()

    def _job(self, job_id: str) -> TrainingJob:
        if job_id not in self._jobs:
            raise NotFound(f"Training job '{job_id}' not found", hint="%matih train returns the job id")
        return self._jobs[job_id]

    # -- internals ------------------------------------------------------------------------------
    def _record_start(
        self,
        run_id: str,
        spec: TrainingSpec,
        framework: str,
        data: Any,
        cell_source: str | None,
        source_path: str | None,
        record_data: Callable[[str], str] | None,
    ) -> None:
        """Params, environment, git state, notebook path, cell and dataset on the parent run. Best effort:
        the job goes on without them, and the gap is recorded."""
        try:
            params = spec.model_dump(exclude={"tags", "search_space", "address"}, exclude_none=True)
            params["framework"] = framework
            params["search_space"] = {k: str(v) for k, v in spec.search_space.items()}
            env = {**environment(spec.seed), **self.ray.cluster()}
            tags = {"matih.python": env["python"], "matih.ray_version": env["ray_version"]}
            git = git_state(Path(source_path).parent if source_path else Path.cwd())
            if git:
                tags.update({GIT_TAGS["commit"]: git.commit, GIT_TAGS["branch"]: git.branch})
                if git.diff:
                    self.runs.log_text(run_id, git.diff, "git/diff.patch")
            if source_path:
                tags["matih.notebook_path"] = source_path
            if record_data is not None:
                tags["matih.data_digest"] = record_data(run_id)
            elif data is not None and hasattr(data, "columns") and hasattr(data, "dtypes"):
                tags["matih.data_digest"] = self.runs.log_dataframe_input(run_id, data, spec.data or "data")
            self.runs.log(run_id, params=params, tags=tags)
            self.runs.log_text(run_id, json.dumps(env, indent=2, default=str), "environment.json")
            if cell_source:
                self.runs.log_text(run_id, cell_source, "cell.py")
        except Exception as exc:
            self.runs.log(run_id, tags={"matih.record_error": f"{type(exc).__name__}: {exc}"[:4000]})

    def _check_data_parallel(self, framework: str) -> None:
        if framework not in _DATA_PARALLEL:
            raise InvalidInput(
                f"--workers > 1 runs XGBoost or PyTorch data-parallel; this cell is '{framework}'",
                hint="pass --framework xgboost or --framework torch, or use --workers 1",
            )
        module, extra = _DATA_PARALLEL[framework]
        if importlib.util.find_spec(module) is None:
            raise InvalidInput(
                f"--workers > 1 with {framework} needs the {module} package",
                hint=f"pip install 'matih-workbench[{extra}]'",
            )

    def _train_run(self, experiment_id: str, parent: str, job_id: str, spec: TrainingSpec) -> str:
        """The child run of a data-parallel job, created here so restarted workers keep writing to it."""
        tags = {"matih.job_id": job_id, "matih.trial_id": "train", "matih.workers": str(spec.workers)}
        run_id = self.runs.create_run(
            experiment_id, f"train-{job_id}-x{spec.workers}", self.user, tags, parent_run_id=parent
        )
        self.runs.log(run_id, params={"epochs": spec.epochs, "workers": spec.workers})
        return run_id

    def _run(self, job: TrainingJob, plan: TunePlan | TrainPlan) -> None:
        try:
            if isinstance(plan, TrainPlan):
                restarts = self.ray.run_train(plan)
                self.runs.log(job.parent_run_id, tags={"matih.restarts": str(restarts)})
            elif single_trial(job.spec) and not self.ray.is_client:
                self.ray.run_single(plan, job.job_id)
            else:
                self.ray.run_tune(plan)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if isinstance(plan, TrainPlan) and plan.setup.run_id:
                self.runs.log(plan.setup.run_id, tags={"matih.error": error[:4000]})
            self._end(job, "FAILED", error)
            return
        trials = job.trials()
        if job.cancel_event.is_set():
            self._end(job, "KILLED", "cancelled")
        elif trials and all(t.status == "ERROR" for t in trials):
            self._end(job, "FAILED", "every trial failed: " + (trials[0].error or ""))
        else:
            self._end(job, "FINISHED")

    def _end(self, job: TrainingJob, status: JobStatus, error: str | None = None) -> None:
        """Final statuses in MLflow, then the event, then waiters are released."""
        try:
            if job.recorder is not None:
                job.recorder.join()
            self._reconcile(job, status)
            self.runs.terminate(job.parent_run_id, status)
            result = job.snapshot()
            ok = status == "FINISHED"
            self.events.emit(
                EventType.MODEL_TRAINING_COMPLETED if ok else EventType.MODEL_TRAINING_FAILED,
                job.parent_run_id,
                {"job_id": job.job_id, "status": status, "error": error, "best_run_id": result.best_run_id,
                 "best_metrics": result.best_metrics,
                 "failed_trials": sum(t.status == "ERROR" for t in result.trials)},
            )  # fmt: skip
        finally:
            job.finish(status, error)

    def _reconcile(self, job: TrainingJob, status: str) -> None:
        """Child runs end as their trials did; checkpoints are uploaded; spilled metrics re-delivered."""
        if job.uploader is not None:
            stats = job.uploader.close()
            tags = {"matih.checkpoints": str(len(stats.uploaded))}
            if stats.errors:
                tags["matih.checkpoint_errors"] = "; ".join(stats.errors)[:4000]
            self.runs.log(job.parent_run_id, tags=tags)
        redeliver_spool(self.home / "metric-spool", self.runs.tracking_uri)
        children = self.runs.children(job.experiment_id, job.parent_run_id)
        job.set_trial_runs(children)
        final = {"TERMINATED": "FINISHED", "ERROR": "FAILED", "KILLED": "KILLED"}
        for trial in job.trials():
            run = children.get(trial.trial_id)
            if run is None:
                continue
            wanted = "KILLED" if status == "KILLED" and trial.status in ("RUNNING", "PENDING") else None
            wanted = wanted or final.get(trial.status, "FINISHED" if status == "FINISHED" else status)
            if run.status != wanted:
                self.runs.terminate(run.run_id, wanted)
        best = job.best()
        if best is not None and best.run_id:
            self.runs.log(
                job.parent_run_id,
                params={"best_config": json.dumps(best.config, default=str)},
                tags={"matih.best_run_id": best.run_id},
            )
            self.runs.log_metrics(job.parent_run_id, {f"best_{k}": v for k, v in best.metrics.items()})


def _source(fn: Any) -> str | None:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return None
