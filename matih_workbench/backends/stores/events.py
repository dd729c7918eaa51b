"""The events store: one append-only SQLite table shared by kernels and the server of a workspace."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    time REAL NOT NULL,
    user TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_subject ON events (subject, id);
"""


_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class StoredEvent:
    """One row of the events store: its id (ascending), type, time, acting user, subject and payload."""

    id: int
    type: str
    time: float
    user: str
    subject: str
    payload: dict[str, Any]


class SqliteEventStore:
    """Append and read events; safe across threads and processes (SQLite WAL)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def append(self, type_: str, user: str, subject: str, payload: dict[str, Any]) -> StoredEvent:
        now = time.time()
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO events (type, time, user, subject, payload) VALUES (?, ?, ?, ?, ?)",
                (type_, now, user, subject, json.dumps(payload, default=str)),
            )
        return StoredEvent(
            id=int(cursor.lastrowid or 0), type=type_, time=now, user=user, subject=subject, payload=payload
        )

    def since(self, after: int, limit: int, subject: str | None = None) -> list[StoredEvent]:
        after, limit = min(after, _MAX_ID), min(limit, _MAX_ID)  # SQLite integers are 64-bit
        query = "SELECT id, type, time, user, subject, payload FROM events WHERE id > ?"
        args: list[Any] = [after]
        if subject is not None:
            query += " AND subject = ?"
            args.append(subject)
        query += " ORDER BY id LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._conn.execute(query, args).fetchall()
        return [StoredEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def last_id(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
        return int(row[0])

    def prune(self, type_: str, keep: int) -> None:
        """Keep only the newest ``keep`` events of a (high-volume, transient) type."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM events WHERE type = ? AND id NOT IN "
                "(SELECT id FROM events WHERE type = ? ORDER BY id DESC LIMIT ?)",
                (type_, type_, keep),
            )

    def close(self) -> None:
        self._conn.close()
