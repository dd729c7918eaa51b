"""What the training service hands to the Ray backend (a plan: one Tune search, one single-trial task or one
data-parallel Train run), and what the backend hands back while it runs (``TrialEvent``s, checkpoints).

Plain dataclasses, built with keywords; importing this module does not import Ray.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from matih_workbench.backends.ray.trial import TrialSetup
from matih_workbench.models.training import TrainingSpec

__all__ = ["OnCheckpoint", "RunPlan", "TrainPlan", "TrialEvent", "TunePlan", "no_checkpoint"]


@dataclass(frozen=True, kw_only=True)
class TrialEvent:
    """One change of one trial, as Ray reports it: its status (``PENDING``, ``RUNNING``, ``TERMINATED``,
    ``ERROR``, ``KILLED``), its config, its latest metrics (None when the event has none) and its error."""

    trial_id: str
    status: str
    config: dict[str, Any]
    metrics: dict[str, Any] | None = None
    error: str | None = None


class OnCheckpoint(Protocol):
    """A checkpoint folder Ray has persisted, to copy into the run's MLflow artifacts at ``step``;
    ``remove``: the folder is ours alone (a single-trial task's), delete it once copied."""

    def __call__(self, run_id: str, folder: str, step: int, remove: bool = False) -> None: ...


def no_checkpoint(run_id: str, folder: str, step: int, remove: bool = False) -> None:
    return None


@dataclass(kw_only=True)
class RunPlan:
    """What every job on Ray has: the spec, the user's function, what its trials need, where Ray keeps its
    state, the run's name, where progress goes, the cancel switch and where checkpoints go."""

    spec: TrainingSpec
    train_fn: Callable[..., Any]
    setup: TrialSetup
    storage_path: Path
    name: str
    on_trial: Callable[[TrialEvent], None]
    cancel: threading.Event = field(default_factory=threading.Event)
    on_checkpoint: OnCheckpoint = no_checkpoint


@dataclass(kw_only=True)
class TunePlan(RunPlan):
    """A Tune search, or a single trial run as one plain Ray task (``backends/ray/single.py``)."""


@dataclass(kw_only=True)
class TrainPlan(RunPlan):
    """A data-parallel Ray Train run: ``spec.workers`` workers of ``framework`` (xgboost or torch);
    ``setup`` carries the run id the driver created."""

    framework: str
    dataset: Any = None  # a Ray Dataset, split between the workers by Ray Data
