"""What a ``train_fn(config)`` calls inside ``%%matih train``: ``matih.report`` and ``matih.data``.

    import matih_workbench as matih

    def train_fn(config):
        for epoch in range(config["epochs"]):
            ...
            matih.report({"loss": loss, "accuracy": acc})   # one call per epoch

``report`` buffers the metrics for MLflow (step = epoch number, delivered in the background) and reports
them to Ray Tune, which schedules and ranks the trials with them. Outside a training run it only keeps
them, so the function can be tried by calling it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["data", "report"]


def report(metrics: Mapping[str, Any], checkpoint: Any = None) -> None:
    """Report one epoch's metrics (and optionally a ``ray.tune.Checkpoint``)."""
    from matih_workbench.backends.ray_trial import report as _report

    _report(metrics, checkpoint)


def data() -> Any:
    """The object named by ``--data``, fetched once per worker process from the Ray object store."""
    from matih_workbench.backends.ray_trial import data as _data

    return _data()
