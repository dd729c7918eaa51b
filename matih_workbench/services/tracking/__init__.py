"""Tracking: experiments, runs and their comparison; the watcher that announces changed runs as events."""

from __future__ import annotations

from dataclasses import dataclass

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.shared import Shared
from matih_workbench.services.tracking.service import TrackingService
from matih_workbench.services.tracking.watch import RunsWatcher

__all__ = ["RunsWatcher", "Tracking", "TrackingService", "build"]


@dataclass(frozen=True)
class Tracking:
    service: TrackingService
    watcher: RunsWatcher


def build(config: WorkbenchConfig, shared: Shared) -> Tracking:
    return Tracking(
        service=TrackingService(shared.tracking, config.mlflow_ui_url),
        watcher=RunsWatcher(shared.tracking, shared.events),
    )
