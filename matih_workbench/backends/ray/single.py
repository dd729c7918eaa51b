"""A single-trial job (one configuration, one worker, no search, no failure budget) as a plain Ray task.

Tune is the right tool for a search, but for one trial its setup (experiment state, a fresh trial actor
process that imports MLflow) costs seconds before the first epoch. Here the trial is one streaming-generator
task on a pooled worker that ``warm`` has already made import MLflow and this package: ``train_fn`` runs in a
thread of the task (``run_trial``, as under Tune), each ``report`` goes through an outbox to the task's main
thread, which yields it to the driver. Cancel is ``ray.cancel``: the task stops the trial at its next report,
flushes its metrics and ends; a trial that never reports again is interrupted, and a task that still does not
end is killed.

Like a Tune trial actor, the worker is used once (``max_calls=1``): what a ``train_fn`` leaves behind (module
state, threads, seeds) never reaches the next job; ``RayBackend`` warms a replacement as each one ends.
"""

from __future__ import annotations

import ctypes
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from matih_workbench.backends.ray.plans import TrialEvent, TunePlan
from matih_workbench.backends.ray.trial import TrialContext, TrialSetup, run_trial

__all__ = ["STOP_GRACE", "run_single", "warm_worker"]

STOP_GRACE = 10.0  # seconds a cancelled trial has to reach its next report before it is interrupted
_END = object()


def run_single(plan: TunePlan, job_id: str) -> None:
    """Run the trial to its end, forwarding its progress to ``plan.on_trial``; returns once it has ended."""
    import ray
    from ray.exceptions import RayError

    trial_id, trial_name = f"{job_id}_00000", f"train-{job_id}"
    config: dict[str, Any] = {"epochs": plan.spec.epochs}
    task = ray.remote(max_calls=1)(single_trial).options(
        num_cpus=plan.spec.cpus_per_worker,
        num_gpus=plan.spec.gpus_per_worker,
        num_returns="streaming",
        max_retries=0,
        name=trial_name,
    )

    def emit(status: str, metrics: dict[str, Any] | None, error: str | None) -> None:
        plan.on_trial(
            TrialEvent(trial_id=trial_id, status=status, config=config, metrics=metrics, error=error)
        )

    emit("PENDING", None, None)
    stream: Any = task.remote(plan.train_fn, plan.setup, config, trial_id, trial_name)
    ended = threading.Event()
    threading.Thread(
        target=_cancel_on, args=(plan.cancel, ended, stream), name=f"matih-cancel-{job_id}", daemon=True
    ).start()
    started = False
    try:
        for ref in stream:
            payload: dict[str, Any] = ray.get(ref)
            if not started:
                emit("RUNNING", None, None)
                started = True
            if payload.get("matih_started"):
                continue
            folder = payload.pop("matih_checkpoint", None)
            if folder:
                plan.on_checkpoint(str(payload["matih_run_id"]), folder, int(payload["matih_step"]), True)
            payload["training_iteration"] = payload["matih_step"]
            emit("RUNNING", payload, None)
    except RayError as exc:  # the trial's error, a cancel, or its worker process died
        if plan.cancel.is_set():
            emit("TERMINATED", None, None)  # the job marks a trial stopped by its cancel KILLED
        else:
            cause = getattr(exc, "cause", None) or exc
            emit("ERROR", None, f"{type(cause).__name__}: {cause}"[:2000])
        return
    finally:
        ended.set()
    emit("TERMINATED", None, None)


def _cancel_on(cancel: threading.Event, ended: threading.Event, stream: Any) -> None:
    """``ray.cancel`` once the job is cancelled; force-kill the task if it has not ended in time."""
    import ray

    while not cancel.wait(0.2):
        if ended.is_set():
            return
    if ended.is_set():
        return
    ray.cancel(stream)
    if not ended.wait(2 * STOP_GRACE + 5):
        ray.cancel(stream, force=True)


def single_trial(
    train_fn: Callable[..., Any], setup: TrialSetup, config: dict[str, Any], trial_id: str, trial_name: str
) -> Iterator[dict[str, Any]]:
    """The task: ``run_trial`` in a thread; yields one dict per report (and a first one once started)."""
    outbox: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    context = TrialContext(trial_id, trial_name, outbox=outbox, stop=stop)
    failure: list[BaseException] = []

    def trial() -> None:
        try:
            run_trial(train_fn, setup, config, context)
        except SystemExit:
            pass  # stopped by the cancel; the driver sets the final status
        except BaseException as exc:
            failure.append(exc)
        finally:
            outbox.put(_END)

    thread = threading.Thread(target=trial, name="matih-trial", daemon=True)
    thread.start()
    try:
        yield {"matih_started": True}
        while (item := outbox.get()) is not _END:
            payload, folder = item
            yield {**payload, "matih_checkpoint": folder} if folder else payload
    except KeyboardInterrupt:  # ray.cancel: stop at the next report, or interrupt, then flush and end
        stop.set()
        thread.join(STOP_GRACE)
        if thread.is_alive() and thread.ident is not None:
            _raise_in(thread.ident, SystemExit)
            thread.join(STOP_GRACE)
        raise
    if failure:
        raise failure[0]


def _raise_in(thread_id: int, exc: type[BaseException]) -> None:
    """Raise ``exc`` in another thread of this process at its next Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc))


def warm_worker(tracking_uri: str) -> int:
    """Import what a trial needs and open the tracking store, so the next trial on this worker starts at
    once; returns the worker's pid."""
    import os

    from matih_workbench.backends.mlflow.metric_logger import AsyncMetricLogger  # noqa: F401
    from matih_workbench.backends.mlflow.training_runs import TrainingRuns

    TrainingRuns(tracking_uri).client.search_experiments(max_results=1)
    return os.getpid()
