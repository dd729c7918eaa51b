"""Ray Tune for a training job: search space domains, search algorithm, scheduler, cancel, progress.

Through Ray Client (``ray://``) Tune runs its driver loop in a task on the cluster, with pickled copies of
the callbacks and the stopper: progress then comes back through a queue actor that this process drains, and
the cancel goes out through another one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import ray
from ray import tune
from ray.tune import Callback, ProgressReporter
from ray.tune.stopper import Stopper
from ray.util.queue import Empty, Queue

from matih_workbench.backends.ray.checkpoint import checkpoint_meta
from matih_workbench.backends.ray.plans import OnCheckpoint, TrialEvent, TunePlan, no_checkpoint
from matih_workbench.backends.ray.trial import make_trainable
from matih_workbench.models.training import ParamSpec, TrainingSpec

__all__ = ["run_tune"]


def run_tune(plan: TunePlan, client: bool = False) -> None:
    """One Tune search: trials in Ray worker processes, progress forwarded to ``plan.on_trial``.
    ``client``: connected through Ray Client, where Tune's loop runs on the cluster."""
    if client:
        _run_remote(plan)
        return
    _tuner(plan, _Progress(plan.on_trial, plan.on_checkpoint), _CancelStopper(plan.cancel)).fit()


def _run_remote(plan: TunePlan) -> None:
    """Tune's loop on the cluster: its callback puts progress in a queue actor, its stopper polls another."""
    events, cancel = Queue(actor_options={"num_cpus": 0}), Queue(actor_options={"num_cpus": 0})
    outcome: dict[str, BaseException] = {}

    def fit() -> None:
        try:
            _tuner(plan, _Progress(queue=events), _CancelStopper(queue=cancel)).fit()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=fit, name=f"{plan.name}-fit", daemon=True)
    thread.start()
    cancelled = False
    try:
        while thread.is_alive() or not events.empty():
            try:
                kind, payload = events.get(timeout=0.25)
            except Empty:
                kind, payload = "", None
            if kind == "trial":
                plan.on_trial(payload)
            elif kind == "checkpoint":
                plan.on_checkpoint(*payload)
            if plan.cancel.is_set() and not cancelled:
                cancelled = True
                cancel.put("cancel")
    finally:
        thread.join()
        for queue in (events, cancel):
            ray.kill(queue.actor)  # type: ignore[arg-type]
    if "error" in outcome:
        raise outcome["error"]


def _tuner(plan: TunePlan, progress: _Progress, stopper: _CancelStopper) -> tune.Tuner:
    spec = plan.spec
    trainable = tune.with_resources(
        make_trainable(plan.train_fn, plan.setup),
        {"cpu": spec.cpus_per_worker, "gpu": spec.gpus_per_worker},
    )
    param_space = {name: _domain(p, spec.search_alg) for name, p in spec.search_space.items()}
    param_space["epochs"] = spec.epochs
    return tune.Tuner(
        trainable,
        param_space=param_space,
        tune_config=tune.TuneConfig(
            metric=spec.metric,
            mode=spec.mode if spec.metric else None,
            num_samples=spec.num_samples,
            search_alg=_search_alg(spec),
            scheduler=_scheduler(spec),
            max_concurrent_trials=spec.max_concurrent,
            reuse_actors=False,
        ),
        run_config=tune.RunConfig(
            name=plan.name,
            storage_path=str(plan.storage_path),
            stop=stopper,
            callbacks=[progress],
            progress_reporter=_Silent(),
            failure_config=tune.FailureConfig(max_failures=spec.max_failures, fail_fast=False),
            checkpoint_config=tune.CheckpointConfig(num_to_keep=2),
            verbose=0,
        ),
    )


def _domain(p: ParamSpec, search_alg: str) -> Any:
    v = p.values
    if p.kind == "loguniform":
        return tune.loguniform(float(v[0]), float(v[1]))
    if p.kind == "uniform":
        return tune.uniform(float(v[0]), float(v[1]))
    if p.kind == "randint":
        return tune.randint(int(v[0]), int(v[1]))
    if p.kind == "grid" or (search_alg == "grid" and p.kind == "choice"):
        return tune.grid_search(list(v))
    return tune.choice(list(v))


def _search_alg(spec: TrainingSpec) -> Any:
    if spec.search_alg == "optuna":
        from ray.tune.search.optuna import OptunaSearch

        return OptunaSearch(seed=spec.seed)
    return None  # random sampling and grid expansion: Tune's BasicVariantGenerator


def _scheduler(spec: TrainingSpec) -> Any:
    from ray.tune import schedulers

    if spec.scheduler == "asha":
        return schedulers.ASHAScheduler(max_t=spec.epochs, grace_period=1, reduction_factor=2)
    if spec.scheduler == "hyperband":
        return schedulers.HyperBandScheduler(max_t=spec.epochs)
    if spec.scheduler == "pbt":
        mutations = {n: _domain(p, "random") for n, p in spec.search_space.items() if p.kind != "grid"}
        return schedulers.PopulationBasedTraining(
            perturbation_interval=max(1, spec.epochs // 4), hyperparam_mutations=mutations
        )
    return None


class _CancelStopper(Stopper):
    """Stops every trial once the job's cancel event is set (Tune ends them cleanly), or once the cancel
    queue has an item when Tune runs on the cluster."""

    def __init__(self, cancel: threading.Event | None = None, queue: Queue | None = None) -> None:
        self.cancel = cancel or threading.Event()
        self.queue = queue

    def __getstate__(self) -> dict[str, Any]:  # Tune pickles its run config with the experiment state
        return {"queue": self.queue}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cancel, self.queue = threading.Event(), state.get("queue")

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return self.stop_all()

    def stop_all(self) -> bool:
        if not self.cancel.is_set() and self.queue is not None and not self.queue.empty():
            self.cancel.set()
        return self.cancel.is_set()


class _Silent(ProgressReporter):
    """Tune's own progress output off. In a notebook Tune would pick its JupyterNotebookReporter, whose
    ``clear_output`` wipes the cell's live table and curves; the cell and the panel show progress instead."""

    def should_report(self, trials: list[Any], done: bool = False) -> bool:
        return False

    def report(self, trials: list[Any], done: bool, *sys_info: Any) -> None:
        return None


def _ignore(event: TrialEvent) -> None:
    return None


_PUBLIC = ("done", "training_iteration", "time_total_s", "matih_run_id")


class _Progress(Callback):
    """Forwards trial lifecycle and results to the service as ``TrialEvent``s: directly, or through a queue
    actor when Tune runs on the cluster (Ray Client)."""

    def __init__(
        self,
        on_trial: Callable[[TrialEvent], None] = _ignore,
        on_checkpoint: OnCheckpoint = no_checkpoint,
        queue: Queue | None = None,
    ) -> None:
        self.queue = queue
        self.on_trial, self.upload = on_trial, on_checkpoint
        if queue is not None:
            self.on_trial, self.upload = self._put_trial, self._put_checkpoint

    def __getstate__(self) -> dict[str, Any]:  # Tune pickles its callbacks with the experiment state
        return {"queue": self.queue}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(queue=state.get("queue"))  # type: ignore[misc]

    def _put_trial(self, event: TrialEvent) -> None:
        assert self.queue is not None
        self.queue.put(("trial", event))

    def _put_checkpoint(self, run_id: str, folder: str, step: int, remove: bool = False) -> None:
        assert self.queue is not None
        self.queue.put(("checkpoint", (run_id, folder, step, remove)))

    def on_checkpoint(
        self, iteration: int, trials: list[Any], trial: Any, checkpoint: Any, **info: Any
    ) -> None:
        path = str(getattr(checkpoint, "path", "") or "")
        meta = checkpoint_meta(path) if path else {}
        if meta.get("run_id"):
            self.upload(str(meta["run_id"]), path, int(meta.get("step", 0)))

    def _emit(self, trial: Any, status: str, result: dict[str, Any] | None, error: str | None) -> None:
        config = {k: v for k, v in dict(trial.config).items()}
        metrics = None
        if result is not None:
            metrics = {k: v for k, v in result.items() if isinstance(v, int | float | str) or k in _PUBLIC}
        self.on_trial(
            TrialEvent(trial_id=trial.trial_id, status=status, config=config, metrics=metrics, error=error)
        )

    def on_trial_start(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._emit(trial, "RUNNING", None, None)

    def on_trial_result(
        self, iteration: int, trials: list[Any], trial: Any, result: dict[str, Any], **info: Any
    ) -> None:
        self._emit(trial, "RUNNING", result, None)

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._emit(trial, "TERMINATED", None, None)

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        error = trial.get_pickled_error() or trial.get_error()
        cause = getattr(error, "__cause__", None) or error
        self._emit(
            trial, "ERROR", None, f"{type(cause).__name__}: {cause}"[:2000] if cause else "trial failed"
        )
