"""The events store: one append-only table shared by kernels and servers, through SQLAlchemy Core.

Embedded: a SQLite file under the workspace (WAL), shared by one user's kernels and server. Shared
deployment: a database URL (``state_url``, e.g. PostgreSQL) shared by every user's servers and kernels.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from matih_workbench.backends.stores.database import create_state_engine, create_tables, state_url

_MAX_ID = 2**63 - 1

_METADATA = sa.MetaData()
EVENTS = sa.Table(
    "events",
    _METADATA,
    # SQLite: INTEGER PRIMARY KEY AUTOINCREMENT, as stores made before this module have it
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("time", sa.Float(), nullable=False),
    sa.Column("user", sa.Text(), nullable=False),
    sa.Column("subject", sa.Text(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Index("events_subject", "subject", "id"),
    sqlite_autoincrement=True,
)


@dataclass(frozen=True)
class StoredEvent:
    """One row of the events store: its id (ascending), type, time, acting user, subject and payload."""

    id: int
    type: str
    time: float
    user: str
    subject: str
    payload: dict[str, Any]


class SqlEventStore:
    """Append and read events; safe across threads and processes (SQLite WAL or a database server)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_state_engine(url)
        self._lock = threading.Lock()  # one writer per process keeps SQLite's lock waits short
        create_tables(self.engine, EVENTS)

    def append(self, type_: str, user: str, subject: str, payload: dict[str, Any]) -> StoredEvent:
        now = time.time()
        row = {"type": type_, "time": now, "user": user, "subject": subject}
        with self._lock, self.engine.begin() as conn:
            inserted = conn.execute(
                EVENTS.insert().returning(EVENTS.c.id), {**row, "payload": json.dumps(payload, default=str)}
            ).scalar_one()
        return StoredEvent(int(inserted), type_, now, user, subject, payload)

    def since(self, after: int, limit: int, subject: str | None = None) -> list[StoredEvent]:
        after, limit = min(after, _MAX_ID), min(limit, _MAX_ID)  # ids are 64-bit integers
        query = sa.select(EVENTS).where(EVENTS.c.id > after)
        if subject is not None:
            query = query.where(EVENTS.c.subject == subject)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(EVENTS.c.id).limit(limit)).all()
        return [StoredEvent(r.id, r.type, r.time, r.user, r.subject, json.loads(r.payload)) for r in rows]

    def last_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.id), 0))).scalar_one())

    def prune(self, type_: str, keep: int) -> None:
        """Keep only the newest ``keep`` events of a (high-volume, transient) type."""
        newest = sa.select(EVENTS.c.id).where(EVENTS.c.type == type_).order_by(EVENTS.c.id.desc()).limit(keep)
        with self._lock, self.engine.begin() as conn:
            conn.execute(
                EVENTS.delete().where(EVENTS.c.type == type_, EVENTS.c.id.not_in(newest.scalar_subquery()))
            )

    def close(self) -> None:
        self.engine.dispose()


class SqliteEventStore(SqlEventStore):
    """The embedded events store: a SQLite file (made with its folder if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(state_url(path))
