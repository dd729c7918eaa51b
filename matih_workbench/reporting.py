"""What a ``train_fn(config)`` calls inside ``%%matih train``: ``matih.report``, ``matih.data`` and
``matih.last_checkpoint``.

    import matih_workbench as matih

    def train_fn(config):
        for epoch in range(config["epochs"]):
            ...
            matih.report({"loss": loss, "accuracy": acc})   # one call per epoch

``report`` buffers the metrics for MLflow (step = epoch number, delivered in the background) and reports
them to Ray Tune, which schedules and ranks the trials with them. Outside a training run it only keeps
them, so the function can be tried by calling it directly.

``checkpoint=`` takes a picklable object (a dict of state, a model), a folder, or a ``ray.train.Checkpoint``.
It is kept by Ray (a failed worker or trial restarts from it within the ``--max-failures`` budget) and saved
as MLflow artifacts ``checkpoints/step-NNNN`` of the run, on the configured artifact storage (local folder or
S3). ``matih.last_checkpoint()`` gives it back after a restart (None on a fresh start):

    state = matih.last_checkpoint() or {"epoch": 0, "weights": init()}
    for epoch in range(state["epoch"], config["epochs"]):
        ...
        matih.report({"loss": loss}, checkpoint={"epoch": epoch + 1, "weights": weights})

``matih.log_model(model, input_example=X)`` writes the trained model (scikit-learn, XGBoost or PyTorch) into
the trial's run as an MLflow model ``model``, with a signature from ``X``: what ``%matih register RUN`` and a
retraining rule register.

In a data-parallel run (``--workers N``) every worker calls ``report`` each epoch; rank 0's metrics and
checkpoint are recorded, and ``matih.data()`` is this worker's shard of the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["data", "last_checkpoint", "log_model", "report"]


def report(metrics: Mapping[str, Any], checkpoint: Any = None) -> None:
    """Report one epoch's metrics, and optionally a checkpoint (object, folder or Ray Checkpoint)."""
    from matih_workbench.backends.ray.trial import report as _report

    _report(metrics, checkpoint)


def data() -> Any:
    """The object named by ``--data``, fetched once per worker process from the Ray object store."""
    from matih_workbench.backends.ray.trial import data as _data

    return _data()


def last_checkpoint() -> Any:
    """The checkpoint of the last ``report`` before a restart: the object, or a local folder; else None."""
    from matih_workbench.backends.ray.trial import last_checkpoint as _last

    return _last()


def log_model(model: Any, input_example: Any = None, name: str = "model") -> str | None:
    """Write the model into the trial's run (``runs:/RUN/model``); None outside a training run."""
    from matih_workbench.backends.ray.trial import log_model as _log_model

    return _log_model(model, input_example, name)
