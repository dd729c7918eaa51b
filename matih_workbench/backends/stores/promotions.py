"""Promotion requests (SQLite under the workspace) and per-model locks that hold across processes.

Kernels and the server of a workspace share ``home``: a request filed from a notebook is approved from the
side panel, and two promotions of one model never interleave, whatever process they run in.
"""

from __future__ import annotations

import fcntl
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS promotion_requests (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    from_stage TEXT NOT NULL,
    target_stage TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at REAL NOT NULL,
    reason TEXT,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    decided_by TEXT,
    decided_at REAL,
    comment TEXT,
    decision_checks TEXT
);
CREATE INDEX IF NOT EXISTS promotion_requests_status ON promotion_requests (status, requested_at);
CREATE INDEX IF NOT EXISTS promotion_requests_model ON promotion_requests (model, version);
"""


@dataclass(frozen=True)
class PromotionRow:
    """One promotion request as stored; ``evidence`` is ``PromotionEvidence`` as JSON, ``status`` one of
    pending, approved, rejected; the ``decided_*`` fields, ``comment`` and ``decision_checks`` (the checks
    an approval passed, as JSON) are set by ``decide``."""

    id: str
    model: str
    version: int
    from_stage: str
    target_stage: str
    requested_by: str
    requested_at: float
    reason: str | None
    status: str
    evidence: str
    decided_by: str | None = None
    decided_at: float | None = None
    comment: str | None = None
    decision_checks: str | None = None


COLUMNS = tuple(PromotionRow.__dataclass_fields__)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM promotion_requests"


class PromotionStore:
    """Promotion requests as ``PromotionRow``s; decisions are compare-and-set."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        known = {row[1] for row in self._conn.execute("PRAGMA table_info(promotion_requests)")}
        if "decision_checks" not in known:  # a store made before approvals recorded what they saw
            try:
                self._conn.execute("ALTER TABLE promotion_requests ADD COLUMN decision_checks TEXT")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise

    def add(self, row: PromotionRow) -> None:
        values = [getattr(row, c) for c in COLUMNS]
        with self._lock:
            self._conn.execute(
                f"INSERT INTO promotion_requests ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})",
                values,
            )

    def get(self, request_id: str) -> PromotionRow | None:
        with self._lock:
            row = self._conn.execute(_SELECT + " WHERE id = ?", (request_id,)).fetchone()
        return PromotionRow(*row) if row else None

    def list(
        self, status: str | None = None, model: str | None = None, version: int | None = None
    ) -> list[PromotionRow]:
        clauses, args = [], []
        for column, value in (("status", status), ("model", model), ("version", version)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._conn.execute(_SELECT + where + " ORDER BY requested_at, id", args).fetchall()
        return [PromotionRow(*r) for r in rows]

    def decide(
        self, request_id: str, status: str, user: str, comment: str, checks: str | None = None
    ) -> bool:
        """Close a pending request; False when it was not pending any more (someone else decided)."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE promotion_requests SET status = ?, decided_by = ?, decided_at = ?, comment = ?, "
                "decision_checks = ? WHERE id = ? AND status = 'pending'",
                (status, user, time.time(), comment, checks, request_id),
            )
        return cursor.rowcount == 1

    def close(self) -> None:
        self._conn.close()


class ModelLocks:
    """One exclusive ``flock`` per model name: excludes other threads and other processes alike."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory

    @contextmanager
    def hold(self, model: str) -> Iterator[None]:
        digest = hashlib.sha1(model.encode()).hexdigest()[:16]
        with open(self.directory / f"model-{digest}.lock", "a") as handle:  # one open file per holder
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
