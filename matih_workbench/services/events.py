"""Lifecycle events: services write them to one store; every UI reads or streams them from there."""

from __future__ import annotations

from typing import Any, Protocol

from matih_workbench.backends.stores.events import StoredEvent
from matih_workbench.errors import InvalidInput
from matih_workbench.models import EventList, EventType, WorkbenchEvent

MAX_EVENTS_PAGE = 1000
RUNS_CHANGED_KEPT = 1000
_KNOWN_TYPES = frozenset(t.value for t in EventType)


class EventStore(Protocol):
    def append(self, type_: str, user: str, subject: str, payload: dict[str, Any]) -> StoredEvent: ...
    def since(self, after: int, limit: int, subject: str | None = None) -> list[StoredEvent]: ...
    def last_id(self) -> int: ...
    def prune(self, type_: str, keep: int) -> None: ...


def _event(row: StoredEvent) -> WorkbenchEvent:
    return WorkbenchEvent(
        id=row.id,
        type=EventType(row.type),
        time=row.time,
        user=row.user,
        subject=row.subject,
        payload=row.payload,
    )


class EventService:
    """Writes lifecycle events tagged with the acting user, and reads them back in order."""

    def __init__(self, store: EventStore, user: str) -> None:
        self.store = store
        self.user = user

    def emit(self, type_: EventType, subject: str, payload: dict[str, Any] | None = None) -> WorkbenchEvent:
        event = _event(self.store.append(type_.value, self.user, subject, payload or {}))
        if type_ is EventType.RUNS_CHANGED:
            self.store.prune(type_.value, RUNS_CHANGED_KEPT)
        return event

    def list(self, after: int = 0, limit: int = 100, subject: str | None = None) -> EventList:
        if after < 0 or not 1 <= limit <= MAX_EVENTS_PAGE:
            raise InvalidInput(f"after must be >= 0 and limit between 1 and {MAX_EVENTS_PAGE}")
        rows = self.store.since(after, limit, subject)
        # a newer workbench sharing the store may write types this one does not know: they are not for it
        return EventList(events=[_event(r) for r in rows if r.type in _KNOWN_TYPES])

    def last_id(self) -> int:
        return self.store.last_id()
