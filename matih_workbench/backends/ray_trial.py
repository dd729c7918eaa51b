"""What runs inside a Ray Tune trial process: the child MLflow run, the async metric logger, ``report()``.

``make_trainable`` wraps the user's ``train_fn(config)``: it creates the trial's child run (tagged with the
parent run id, the user and the trial id), logs the trial's config as params, installs a ``TrialSession``
that ``matih.report`` writes to, and ends the run FINISHED or FAILED (with the error) when train_fn ends.
A trial stopped early by a scheduler never returns from ``tune.report``: the trainable's ``cleanup`` (a
mixin Tune honours through ``__mixins__``) flushes the logger instead; the driver sets the final status.
"""

from __future__ import annotations

import inspect
import random
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from matih_workbench.backends.metric_logger import AsyncMetricLogger
from matih_workbench.backends.training_runs import TrainingRuns

__all__ = ["TrialSession", "TrialSetup", "active_session", "data", "make_trainable", "report"]


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


@dataclass
class TrialSession:
    run_id: str
    logger: AsyncMetricLogger | None
    data_ref: Any = None
    step: int = 0
    latest: dict[str, Any] = field(default_factory=dict)


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
    from ray import tune

    tune.report({**metrics, "matih_run_id": session.run_id}, checkpoint=checkpoint)


_LOCAL: list[dict[str, Any]] = []


def data() -> Any:
    """The ``--data`` object of this job, fetched once per process from the Ray object store."""
    session = _active
    if session is None or session.data_ref is None:
        raise RuntimeError("matih.data() is only available inside a %%matih train --data ... trial")
    key = session.data_ref.hex()
    if key not in _data_cache:
        import ray

        _data_cache.clear()
        _data_cache[key] = ray.get(session.data_ref)
    return _data_cache[key]


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


def run_trial(train_fn: Callable[..., Any], setup: TrialSetup, config: dict[str, Any]) -> None:
    """One trial in a worker process: child run, params, metrics through the async logger, final status."""
    global _active
    from ray import tune

    takes_data = len(inspect.signature(train_fn).parameters) >= 2
    context = tune.get_context()
    trial_id, trial_name = context.get_trial_id(), context.get_trial_name()
    runs = TrainingRuns(setup.tracking_uri)
    run_id = runs.create_run(
        setup.experiment_id,
        trial_name,
        setup.user,
        {**setup.tags, "matih.trial_id": trial_id, "matih.trial_name": trial_name},
        parent_run_id=setup.parent_run_id,
    )
    runs.log(run_id, params=dict(config))
    if setup.seed is not None:
        _seed(setup.seed)
    logger = AsyncMetricLogger(setup.tracking_uri, run_id, setup.spool_dir)
    with _lock:
        _active = TrialSession(run_id, logger, setup.data_ref)
    status = "FAILED"
    try:
        if takes_data:
            train_fn(config, data() if setup.data_ref is not None else None)
        else:
            train_fn(config)
        status = "FINISHED"
    except BaseException as exc:
        runs.log(run_id, tags={"matih.error": f"{type(exc).__name__}: {exc}"[:4000]})
        runs.log_text(run_id, traceback.format_exc(), "error.txt")
        raise
    finally:
        stats = logger.close(timeout=30)
        runs.log(run_id, tags={"matih.metrics_delivered": str(stats.delivered)})
        runs.terminate(run_id, status)
        with _lock:
            _active = None


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
