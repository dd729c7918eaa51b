"""Monitoring's own state (SQLite under the workspace), shared by kernels and the server: alert rules per
model, the alerts raised, and one row per check for the charts over time."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
    model TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    time REAL NOT NULL,
    message TEXT NOT NULL,
    evidence TEXT NOT NULL,
    event_id INTEGER,
    webhook TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_endpoint ON alerts (endpoint, kind, time);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    time REAL NOT NULL,
    point TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_endpoint ON checks (endpoint, time);
"""


@dataclass(frozen=True)
class RuleRow:
    model: str
    settings: dict[str, Any]
    updated_by: str
    updated_at: float


@dataclass(frozen=True)
class AlertRow:
    id: int
    endpoint: str
    model: str
    version: int
    kind: str
    time: float
    message: str
    evidence: dict[str, Any]
    event_id: int | None
    webhook: str | None


_ALERT_COLUMNS = "id, endpoint, model, version, kind, time, message, evidence, event_id, webhook"


class MonitoringStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    # -- rules ------------------------------------------------------------------------------------
    def rule(self, model: str) -> RuleRow | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT model, settings, updated_by, updated_at FROM rules WHERE model = ?", (model,)
            ).fetchone()
        return RuleRow(row[0], json.loads(row[1]), row[2], row[3]) if row else None

    def save_rule(self, row: RuleRow) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO rules (model, settings, updated_by, updated_at) VALUES (?, ?, ?, ?)",
                (row.model, json.dumps(row.settings), row.updated_by, row.updated_at),
            )

    # -- alerts -----------------------------------------------------------------------------------
    def add_alert(
        self, endpoint: str, model: str, version: int, kind: str, time: float, message: str, evidence: Any
    ) -> int:
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO alerts (endpoint, model, version, kind, time, message, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (endpoint, model, version, kind, time, message, json.dumps(evidence, default=str)),
            )
        return int(cursor.lastrowid or 0)

    def finish_alert(self, alert_id: int, event_id: int | None, webhook: str | None) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE alerts SET event_id = ?, webhook = ? WHERE id = ?", (event_id, webhook, alert_id)
            )

    def alerts(self, endpoint: str | None = None, limit: int = 100) -> list[AlertRow]:
        where, args = ("WHERE endpoint = ?", [endpoint]) if endpoint else ("", [])
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts {where} ORDER BY id DESC LIMIT ?", (*args, limit)
            ).fetchall()
        return [
            AlertRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9]) for r in rows
        ]

    def last_alert_time(self, endpoint: str, kind: str) -> float | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT MAX(time) FROM alerts WHERE endpoint = ? AND kind = ?", (endpoint, kind)
            ).fetchone()
        return row[0] if row and row[0] is not None else None

    def count_alerts(self, endpoint: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT COUNT(*) FROM alerts WHERE endpoint = ?", (endpoint,)).fetchone()
        return int(row[0])

    # -- checks -----------------------------------------------------------------------------------
    def add_check(self, endpoint: str, time: float, point: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO checks (endpoint, time, point) VALUES (?, ?, ?)",
                (endpoint, time, json.dumps(point)),
            )

    def checks(self, endpoint: str, limit: int = 500) -> list[dict[str, Any]]:
        """The last ``limit`` checks of the endpoint, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT point FROM checks WHERE endpoint = ? ORDER BY time DESC, id DESC LIMIT ?",
                (endpoint, limit),
            ).fetchall()
        return [json.loads(r[0]) for r in reversed(rows)]

    def close(self) -> None:
        self._conn.close()
