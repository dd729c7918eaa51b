"""What runs inside a Ray Tune trial or a Ray Train worker: the child MLflow run, the async metric logger,
``report()``, ``data()`` and ``last_checkpoint()``.

``make_trainable`` wraps the user's ``train_fn(config)``: it creates the trial's child run (tagged with the
parent run id, the user and the trial id), logs the trial's config as params, installs a ``TrialSession``
that ``matih.report`` writes to, and ends the run FINISHED or FAILED (with the error) when train_fn ends.
A trial stopped early by a scheduler never returns from ``tune.report``: the trainable's ``cleanup`` (a
mixin Tune honours through ``__mixins__``) flushes the logger instead; the driver sets the final status.

``run_trial`` also runs outside Tune, for a single trial in a plain Ray task (``backends/ray/single.py``): its
``TrialContext`` then carries an outbox that ``report`` writes to and a stop event it honours.

``run_train_worker`` is the same for one worker of a data-parallel Ray Train run: the driver created the
run, rank 0 logs the metrics, every rank reports to Ray Train (a barrier), rank 0's checkpoint is kept, and a
worker restarted after a failure resumes at the step of the last checkpoint.
"""

from __future__ import annotations

import importlib
import inspect
import queue
import random
import shutil
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from matih_workbench.backends.mlflow.metric_logger import AsyncMetricLogger
from matih_workbench.backends.mlflow.training_runs import TrainingRuns
from matih_workbench.backends.ray.checkpoint import checkpoint_meta, restore, to_checkpoint

__all__ = [
    "AUTOLOG_FLAVORS", "TrialContext", "TrialSession", "TrialSetup", "active_session", "autologging",
    "data", "last_checkpoint", "make_trainable", "report", "run_train_worker", "run_trial",
]  # fmt: skip


@dataclass(frozen=True)
class TrialSetup:
    """Everything a trial process needs; small and picklable (the data travels as an ObjectRef)."""

    tracking_uri: str
    experiment_id: str
    parent_run_id: str
    user: str
    spool_dir: str
    tags: dict[str, str] = field(default_factory=dict)
    data_ref: Any = None
    seed: int | None = None
    run_id: str | None = None  # Ray Train: the run the driver created for the whole job
    dataset: bool = False  # Ray Train: the data is a Ray Dataset passed as the "train" dataset
    autolog: bool = True  # MLflow framework autologging in the trial (when the framework has it)


@dataclass
class TrialContext:
    """Who a trial is and where its reports go: Tune's context, or a plain task's outbox."""

    trial_id: str
    trial_name: str
    checkpoint: Any = None  # the Ray checkpoint this attempt starts from
    outbox: queue.Queue[Any] | None = None  # a plain task: ``(payload, checkpoint folder)`` per report
    stop: threading.Event | None = None  # a plain task: set when the job is cancelled


@dataclass
class TrialSession:
    run_id: str
    logger: AsyncMetricLogger | None
    data_ref: Any = None
    step: int = 0
    latest: dict[str, Any] = field(default_factory=dict)
    mode: str = "tune"  # or "train" (Ray Train worker) or "task" (a single trial in a plain Ray task)
    rank: int = 0
    world: int = 1
    dataset: bool = False
    checkpoint: Any = None  # the Ray checkpoint this attempt starts from
    context: TrialContext | None = None
    tracking_uri: str = ""


_lock = threading.Lock()
_active: TrialSession | None = None
_data_cache: dict[str, Any] = {}


def active_session() -> TrialSession | None:
    return _active


def report(metrics: Mapping[str, Any], checkpoint: Any = None) -> None:
    """Record one epoch: buffered to MLflow (step = epoch number) and reported to Ray Tune.

    Outside a ``%%matih train`` trial (calling train_fn directly to try it) it only keeps the metrics, so
    ``matih.report`` never fails in a plain notebook.
    """
    session = _active
    if session is None:
        _LOCAL.append(dict(metrics))
        return
    numeric = {k: float(v) for k, v in metrics.items() if _is_number(v)}
    session.step += 1
    session.latest = dict(metrics)
    if session.logger is not None:
        session.logger.log_metrics(numeric, step=session.step)
    folder = None
    if checkpoint is not None and session.rank == 0:
        checkpoint, folder = to_checkpoint(checkpoint, session.run_id, session.step)
    else:
        checkpoint = None
    payload = {**metrics, "matih_run_id": session.run_id, "matih_step": session.step}
    context = session.context
    if session.mode == "task" and context is not None and context.outbox is not None:
        # the task's main thread forwards it to the driver; the driver uploads and removes the folder
        context.outbox.put((payload, folder))
        if context.stop is not None and context.stop.is_set():
            raise SystemExit("cancelled")
        return
    try:
        if session.mode == "train":
            import ray.train

            ray.train.report(payload, checkpoint=checkpoint)
        else:
            from ray import tune

            tune.report(payload, checkpoint=checkpoint)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def log_model(model: Any, input_example: Any = None, name: str = "model") -> str | None:
    """Write the trained model into this trial's run (rank 0 only); None outside a trial."""
    session = _active
    if session is None or session.rank != 0:
        return None
    from matih_workbench.backends.mlflow.model_files import log_model_files

    return log_model_files(session.tracking_uri, session.run_id, model, input_example, name)


def last_checkpoint() -> Any:
    """What the last ``report(..., checkpoint=...)`` of this run saved, or None on a fresh start."""
    session = _active
    if session is None or session.checkpoint is None:
        return None
    return restore(session.checkpoint)[0]


_LOCAL: list[dict[str, Any]] = []


def data() -> Any:
    """The ``--data`` object of this job, fetched once per process from the Ray object store."""
    session = _active
    if session is not None and session.dataset:
        return _dataset_shard()
    if session is None or session.data_ref is None:
        raise RuntimeError("matih.data() is only available inside a %%matih train --data ... trial")
    key = session.data_ref.hex()
    if key not in _data_cache:
        import ray

        _data_cache.clear()
        _data_cache[key] = ray.get(session.data_ref)
    whole = _data_cache[key]
    if session.world > 1 and hasattr(whole, "iloc"):
        return whole.iloc[session.rank :: session.world]  # this worker's shard
    if session.world > 1 and hasattr(whole, "__getitem__") and hasattr(whole, "shape"):
        return whole[session.rank :: session.world]
    return whole


def _dataset_shard() -> Any:
    import ray.train

    return ray.train.get_dataset_shard("train").materialize().to_pandas()


class _FlushOnCleanup:
    """Mixed into Tune's function trainable: a stopped trial's buffered metrics are delivered."""

    def cleanup(self) -> None:
        session = _active
        if session is not None and session.logger is not None:
            session.logger.close(timeout=10)
        super().cleanup()  # type: ignore[misc]


def make_trainable(train_fn: Callable[..., Any], setup: TrialSetup) -> Callable[[dict[str, Any]], None]:
    """The Tune function trainable. Only ``run_trial`` (importable, pickled by reference), the user's
    function and ``setup`` travel to the workers."""

    def matih_trial(config: dict[str, Any]) -> None:
        run_trial(train_fn, setup, config)

    matih_trial.__mixins__ = (_FlushOnCleanup,)  # type: ignore[attr-defined]
    return matih_trial


def run_trial(
    train_fn: Callable[..., Any],
    setup: TrialSetup,
    config: dict[str, Any],
    context: TrialContext | None = None,
) -> None:
    """One trial in a worker process: child run, params, metrics through the async logger, final status.
    ``context`` is Tune's trial unless given (a single trial in a plain Ray task)."""
    global _active
    takes_data = len(inspect.signature(train_fn).parameters) >= 2
    context = context or _tune_context()
    runs = TrainingRuns(setup.tracking_uri)
    step, run_id = _resume(context.checkpoint)
    if run_id is None:  # a fresh trial (a retried one continues the run of its checkpoint)
        run_id = runs.create_run(
            setup.experiment_id,
            context.trial_name,
            setup.user,
            {**setup.tags, "matih.trial_id": context.trial_id, "matih.trial_name": context.trial_name},
            parent_run_id=setup.parent_run_id,
        )
        runs.log(run_id, params=dict(config))
    else:
        runs.resumed(run_id, step)
    if setup.seed is not None:
        _seed(setup.seed)
    logger = AsyncMetricLogger(setup.tracking_uri, run_id, setup.spool_dir)
    mode = "tune" if context.outbox is None else "task"
    with _lock:
        _active = TrialSession(
            run_id, logger, setup.data_ref, step=step, checkpoint=context.checkpoint, mode=mode,
            context=context, tracking_uri=setup.tracking_uri,
        )  # fmt: skip
    status: str | None = "FAILED"
    try:
        with autologging(setup, run_id):
            if takes_data:
                train_fn(config, data() if setup.data_ref is not None else None)
            else:
                train_fn(config)
        status = "FINISHED"
    except SystemExit:
        # stopped by Tune (a scheduler's early stop or a cancel) or by a cancelled task: not an error, and
        # the driver, which knows why, sets the final status (a late FAILED must not overwrite its KILLED)
        status = None
        raise
    except BaseException as exc:
        runs.log(run_id, tags={"matih.error": f"{type(exc).__name__}: {exc}"[:4000]})
        runs.log_text(run_id, traceback.format_exc(), "error.txt")
        raise
    finally:
        stats = logger.close(timeout=30)
        runs.log(run_id, tags={"matih.metrics_delivered": str(stats.delivered)})
        if status is not None:
            runs.terminate(run_id, status)
        with _lock:
            _active = None


def _tune_context() -> TrialContext:
    from ray import tune

    context = tune.get_context()
    return TrialContext(context.get_trial_id(), context.get_trial_name(), tune.get_checkpoint())


def run_train_worker(train_fn: Callable[..., Any], setup: TrialSetup, config: dict[str, Any]) -> None:
    """One Ray Train worker: rank 0 logs to the job's run; every rank reports; resume from a checkpoint."""
    global _active
    import ray.train

    assert setup.run_id, "the driver creates the run of a Ray Train job"
    context = ray.train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    start = ray.train.get_checkpoint()
    step, _ = _resume(start)
    if setup.seed is not None:
        _seed(setup.seed + rank)
    logger = AsyncMetricLogger(setup.tracking_uri, setup.run_id, setup.spool_dir) if rank == 0 else None
    with _lock:
        _active = TrialSession(
            setup.run_id, logger, setup.data_ref, step=step, mode="train", rank=rank, world=world,
            dataset=setup.dataset, checkpoint=start, tracking_uri=setup.tracking_uri,
        )  # fmt: skip
    try:
        with autologging(setup, setup.run_id, enabled=rank == 0):
            if len(inspect.signature(train_fn).parameters) >= 2:
                has_data = setup.data_ref is not None or setup.dataset
                train_fn(config, data() if has_data else None)
            else:
                train_fn(config)
    finally:
        if logger is not None:
            logger.close(timeout=30)
        with _lock:
            _active = None


#: framework -> MLflow autologging flavor used inside trials (PyTorch has none outside Lightning).
AUTOLOG_FLAVORS = {"sklearn": "mlflow.sklearn", "xgboost": "mlflow.xgboost"}


@contextmanager
def autologging(setup: TrialSetup, run_id: str, enabled: bool = True) -> Iterator[None]:
    """MLflow framework autologging into the trial's run while train_fn runs: the estimator's params and
    training metrics (sklearn), per-round eval metrics (XGBoost). Models are not logged: checkpoints are.
    The trial, not autologging, decides the run's final status."""
    flavor_name = AUTOLOG_FLAVORS.get(setup.tags.get("matih.framework", ""))
    if not enabled or not setup.autolog or flavor_name is None:
        yield
        return
    import mlflow
    from mlflow.environment_variables import MLFLOW_RUN_ID
    from mlflow.tracking import fluent

    flavor = importlib.import_module(flavor_name)
    mlflow.set_tracking_uri(setup.tracking_uri)
    flavor.autolog(log_models=False, log_datasets=False, silent=True)
    mlflow.start_run(run_id=run_id)
    try:
        yield
    finally:
        flavor.autolog(disable=True)
        # Detach the run without ``mlflow.end_run()``, which would mark it FINISHED: a trial stopped by
        # Tune is ended by the driver (FINISHED or KILLED), every other trial by ``run_trial``.
        fluent._active_run_stack.get().pop()
        MLFLOW_RUN_ID.unset()


def _resume(checkpoint: Any) -> tuple[int, str | None]:
    """``(step, run id)`` recorded in the checkpoint an attempt starts from; ``(0, None)`` when fresh."""
    if checkpoint is None:
        return 0, None
    with checkpoint.as_directory() as folder:
        meta = checkpoint_meta(folder)
    return int(meta.get("step", 0)), meta.get("run_id")


def _is_number(value: Any) -> bool:
    """Python and numpy/torch scalars; not booleans or strings."""
    scalar = getattr(value, "ndim", 0) == 0
    return hasattr(value, "__float__") and not isinstance(value, bool | str) and scalar


def _seed(seed: int) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # pragma: no cover
        pass
