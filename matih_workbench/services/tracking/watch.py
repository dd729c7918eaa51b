"""Notice runs created, updated or deleted by any MLflow client, and announce them as RUNS_CHANGED."""

from __future__ import annotations

from typing import Any, Protocol

from matih_workbench.models import EventType, WorkbenchEvent
from matih_workbench.services.events import EventService


class Fingerprinted(Protocol):
    def fingerprint(self) -> dict[str, tuple[Any, ...]]: ...


class RunsWatcher:
    """Compares a cheap per-experiment fingerprint of the tracking store between calls to ``poll``."""

    def __init__(self, tracking: Fingerprinted, events: EventService) -> None:
        self.tracking = tracking
        self.events = events
        self._last: dict[str, tuple[Any, ...]] | None = None

    def poll(self) -> list[WorkbenchEvent]:
        """Emit one RUNS_CHANGED event per experiment whose runs changed since the previous poll."""
        current = self.tracking.fingerprint()
        previous, self._last = self._last, current
        if previous is None:
            return []
        changed = sorted(k for k in current.keys() | previous.keys() if current.get(k) != previous.get(k))
        return [self.events.emit(EventType.RUNS_CHANGED, e, {"experiment_id": e}) for e in changed]
