"""Endpoints of the workspace (SQLite under the workspace), shared by kernels and the server.

One row per endpoint: the spec its replica runs (versions, split, shadow), its rollout state, who deployed
each version and when. Ray Serve runs what the spec says; this store remembers who asked for it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS endpoints (
    name TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    spec TEXT NOT NULL,
    deployed TEXT NOT NULL,
    canary TEXT,
    admin_token TEXT NOT NULL,
    server TEXT NOT NULL,
    url TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class DeploymentRow:
    """One version behind one endpoint, as listed by ``%matih deployments``."""

    endpoint: str
    model: str
    version: str
    server: str
    url: str
    traffic: int
    deployed_by: str
    deployed_at: float


@dataclass
class EndpointRow:
    name: str
    model: str
    spec: dict[str, Any]
    deployed: dict[str, dict[str, Any]]  # version -> {"by": user, "at": time}
    canary: dict[str, Any] | None
    admin_token: str
    server: str
    url: str
    created_by: str
    created_at: float
    updated_at: float
    extra: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[DeploymentRow]:
        return [
            DeploymentRow(
                self.name,
                self.model,
                r["version"],
                self.server,
                self.url,
                0 if r.get("shadow") else int(r["weight"]),
                self.deployed.get(r["version"], {}).get("by", self.created_by),
                self.deployed.get(r["version"], {}).get("at", self.created_at),
            )
            for r in self.spec.get("routes", [])
        ]


_COLUMNS = (
    "name",
    "model",
    "spec",
    "deployed",
    "canary",
    "admin_token",
    "server",
    "url",
    "created_by",
    "created_at",
    "updated_at",
)
_JSON = {"spec", "deployed", "canary"}


class DeploymentStore:
    """What is deployed where, as the model server was asked; read by every process of the workspace."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def endpoints(self) -> list[EndpointRow]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM endpoints ORDER BY created_at DESC, name"
            ).fetchall()
        return [self._row(r) for r in rows]

    def endpoint(self, name: str) -> EndpointRow | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM endpoints WHERE name = ?", (name,)
            ).fetchone()
        return self._row(row) if row else None

    def save(self, row: EndpointRow) -> None:
        values = [json.dumps(getattr(row, c)) if c in _JSON else getattr(row, c) for c in _COLUMNS]
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO endpoints ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                values,
            )

    def delete(self, name: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM endpoints WHERE name = ?", (name,))

    def list(self) -> list[DeploymentRow]:
        """Every version behind every endpoint, most recently deployed first."""
        rows = [r for e in self.endpoints() for r in e.rows()]
        return sorted(rows, key=lambda r: (-r.deployed_at, r.endpoint, r.version))

    def close(self) -> None:
        self._conn.close()

    @staticmethod
    def _row(raw: tuple[Any, ...]) -> EndpointRow:
        values = dict(zip(_COLUMNS, raw, strict=True))
        for c in _JSON:
            values[c] = json.loads(values[c]) if values[c] is not None else None
        return EndpointRow(**values)
