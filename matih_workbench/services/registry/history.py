"""A model's lifecycle history, read from the events store: registrations, requests, promotions, archives."""

from __future__ import annotations

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.models import ModelHistory, TransitionRecord
from matih_workbench.services.events import EventService
from matih_workbench.services.registry.stages import HISTORY_EVENTS, history_record


class VersionHistory:
    """Read by the registry, the lineage and the model cards alike."""

    def __init__(self, registry: MlflowRegistry, events: EventService) -> None:
        self.registry = registry
        self.events = events

    def history(self, name: str, version: int | None = None) -> ModelHistory:
        """The model's lifecycle events, oldest first (optionally one version's)."""
        self.registry.model(name)
        records: list[TransitionRecord] = []
        after = 0
        while page := self.events.list(after=after, limit=1000, subject=name).events:
            after = page[-1].id
            records += [
                history_record(e)
                for e in page
                if e.type in HISTORY_EVENTS and version in (None, e.payload.get("version"))
            ]
        return ModelHistory(model=name, history=records)
