"""Ray Train (V2) for a data-parallel job: XGBoostTrainer or TorchTrainer with N workers.

Each worker runs ``run_train_worker`` around the user's ``train_fn(config)``. Progress comes back from the
Train controller through a ``_Forward`` callback into a small queue actor that this driver drains: every
report (rank 0's metrics), every persisted checkpoint (copied into MLflow by ``plan.on_checkpoint``) and every
worker-group failure (a restart from the last checkpoint, within ``FailureConfig(max_failures)``). Cancel
aborts the controller, whose handle arrives with the first report.
"""

from __future__ import annotations

import threading
from typing import Any

import ray
import ray.train
from ray.train import CheckpointConfig, FailureConfig, RunConfig, ScalingConfig, UserCallback
from ray.util.queue import Empty, Queue

from matih_workbench.backends.ray.checkpoint import checkpoint_meta
from matih_workbench.backends.ray.plans import TrainPlan, TrialEvent
from matih_workbench.backends.ray.trial import run_train_worker

__all__ = ["TRIAL_ID", "run_train"]

TRIAL_ID = "train"  # a data-parallel job is one "trial" of the job's view, with one child run


def run_train(plan: TrainPlan) -> int:
    """Fit to the end (or cancel); returns the number of restarts. Raises the training error."""
    spec = plan.spec
    events = Queue(actor_options={"num_cpus": 0})
    config = {"epochs": spec.epochs}
    setup, fn = plan.setup, plan.train_fn

    def train_loop_per_worker(cfg: dict[str, Any]) -> None:
        run_train_worker(fn, setup, cfg)

    trainer_cls = _trainer_class(plan.framework)
    resources = {"CPU": spec.cpus_per_worker}
    if spec.gpus_per_worker:
        resources["GPU"] = spec.gpus_per_worker
    trainer = trainer_cls(
        train_loop_per_worker,
        train_loop_config=config,
        scaling_config=ScalingConfig(
            num_workers=spec.workers, use_gpu=spec.gpus_per_worker > 0, resources_per_worker=resources
        ),
        run_config=RunConfig(
            name=plan.name,
            storage_path=str(plan.storage_path),
            callbacks=[_Forward(events)],  # type: ignore[list-item]  # Train V2 takes UserCallbacks
            failure_config=FailureConfig(max_failures=spec.max_failures),
            checkpoint_config=CheckpointConfig(num_to_keep=2),
        ),
        datasets={"train": plan.dataset} if plan.dataset is not None else None,
    )
    outcome: dict[str, Any] = {}

    def fit() -> None:
        try:
            outcome["result"] = trainer.fit()
        except BaseException as exc:
            outcome["error"] = exc

    def emit(status: str, metrics: dict[str, Any] | None = None, error: str | None = None) -> None:
        plan.on_trial(
            TrialEvent(trial_id=TRIAL_ID, status=status, config=config, metrics=metrics, error=error)
        )

    thread = threading.Thread(target=fit, name=f"{plan.name}-fit", daemon=True)
    thread.start()
    emit("RUNNING")
    restarts, controller, aborted = 0, None, False
    while thread.is_alive() or not events.empty():
        try:
            kind, payload, extra = events.get(timeout=0.25)
        except Empty:
            kind = ""
        if kind == "report":
            controller = controller or extra.get("controller")
            emit("RUNNING", _with_iteration(payload))
            if extra.get("checkpoint"):
                meta = checkpoint_meta(extra["checkpoint"])
                plan.on_checkpoint(str(setup.run_id), extra["checkpoint"], int(meta.get("step", 0)))
        elif kind == "failure":
            restarts += 1
        if plan.cancel.is_set() and controller is not None and not aborted:
            aborted = True
            controller.abort.remote()
    thread.join()
    ray.kill(events.actor)  # type: ignore[arg-type]
    if plan.cancel.is_set():
        emit("KILLED")
    elif "error" in outcome:
        error = outcome["error"]
        emit("ERROR", error=f"{type(error).__name__}: {error}"[:4000])
        raise error
    else:
        emit("TERMINATED")
    return restarts


def _trainer_class(framework: str) -> Any:
    if framework == "xgboost":
        from ray.train.xgboost import XGBoostTrainer

        return XGBoostTrainer
    from ray.train.torch import TorchTrainer

    return TorchTrainer


def _with_iteration(metrics: dict[str, Any]) -> dict[str, Any]:
    return {**metrics, "training_iteration": int(metrics.get("matih_step", 0))}


class _Forward(UserCallback):
    """Runs in the Train controller: forwards rank 0's reports, checkpoints and failures to the driver."""

    def __init__(self, events: Queue) -> None:
        self.events = events

    def after_report(self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Any) -> None:
        extra: dict[str, Any] = {"controller": ray.get_runtime_context().current_actor}
        if checkpoint is not None:
            extra["checkpoint"] = checkpoint.path
        self._put(("report", dict(metrics[0]) if metrics else {}, extra))

    def after_exception(self, run_context: Any, worker_exceptions: dict[int, Exception]) -> None:
        errors = {rank: f"{type(e).__name__}: {e}"[:2000] for rank, e in worker_exceptions.items()}
        self._put(("failure", errors, {}))

    def _put(self, item: tuple[str, dict[Any, Any], dict[str, Any]]) -> None:
        self.events.actor.put_nowait.remote(item)  # type: ignore[attr-defined]  # fire and forget: the controller is an async actor
