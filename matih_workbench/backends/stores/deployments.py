"""Deployments of the workspace (SQLite under the workspace), shared by kernels and the server."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deployments (
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    server TEXT NOT NULL,
    url TEXT NOT NULL,
    traffic INTEGER NOT NULL,
    deployed_by TEXT NOT NULL,
    deployed_at REAL NOT NULL,
    PRIMARY KEY (endpoint, model, version)
);
"""


@dataclass(frozen=True)
class DeploymentRow:
    endpoint: str
    model: str
    version: str
    server: str
    url: str
    traffic: int
    deployed_by: str
    deployed_at: float


_COLUMNS = ", ".join(DeploymentRow.__dataclass_fields__)


class DeploymentStore:
    """What is deployed where, as the model server was asked; read by every process of the workspace."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def list(self) -> list[DeploymentRow]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM deployments ORDER BY deployed_at DESC, endpoint"
            ).fetchall()
        return [DeploymentRow(*row) for row in rows]

    def close(self) -> None:
        self._conn.close()
