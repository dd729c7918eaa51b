"""What every capability is built over: the config, the workspace folder, the events, the tracking store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matih_workbench.backends import tracking_backend
from matih_workbench.backends.contracts import TrackingBackend
from matih_workbench.backends.stores.events import SqlEventStore, SqliteEventStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.events import EventService


@dataclass(frozen=True)
class Shared:
    """Built once per ``Workbench``; each capability's ``build(config, shared)`` takes what it needs."""

    home: Path
    events: EventService
    tracking: TrackingBackend

    @classmethod
    def from_config(cls, config: WorkbenchConfig) -> Shared:
        home = config.ensure_home()
        return cls(
            home=home,
            events=EventService(
                SqlEventStore(config.state_url) if config.state_url else SqliteEventStore(home / "events.db"),
                config.user,
            ),
            tracking=tracking_backend(config),
        )
