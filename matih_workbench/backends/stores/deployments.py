"""Endpoints of the workspace (SQLite under the workspace, or the shared deployment's state database),
shared by kernels and servers.

One row per endpoint: the spec its replica runs (versions, split, shadow), its rollout state, who deployed
each version and when. Ray Serve runs what the spec says; this store remembers who asked for it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from matih_workbench.backends.stores.database import create_state_engine, create_tables, state_url, upsert

_METADATA = sa.MetaData()
ENDPOINTS = sa.Table(
    "endpoints",
    _METADATA,
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("model", sa.Text(), nullable=False),
    sa.Column("spec", sa.Text(), nullable=False),
    sa.Column("deployed", sa.Text(), nullable=False),
    sa.Column("canary", sa.Text()),
    sa.Column("admin_token", sa.Text(), nullable=False),
    sa.Column("server", sa.Text(), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("created_at", sa.Float(), nullable=False),
    sa.Column("updated_at", sa.Float(), nullable=False),
)


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


def _columns() -> list[Any]:
    return [ENDPOINTS.c[c] for c in _COLUMNS]


class DeploymentStore:
    """What is deployed where, as the model server was asked; read by every process of the workspace.
    ``where``: a SQLAlchemy URL (a shared deployment's database) or the path of a SQLite file."""

    def __init__(self, where: str | Path) -> None:
        self.url = state_url(where)
        self.engine = create_state_engine(self.url)
        self._lock = threading.Lock()
        create_tables(self.engine, ENDPOINTS)

    def endpoints(self) -> list[EndpointRow]:
        query = sa.select(*_columns()).order_by(ENDPOINTS.c.created_at.desc(), ENDPOINTS.c.name)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._row(tuple(r)) for r in rows]

    def endpoint(self, name: str) -> EndpointRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_columns()).where(ENDPOINTS.c.name == name)).first()
        return self._row(tuple(row)) if row else None

    def save(self, row: EndpointRow) -> None:
        values = {c: json.dumps(getattr(row, c)) if c in _JSON else getattr(row, c) for c in _COLUMNS}
        with self._lock, self.engine.begin() as conn:
            conn.execute(upsert(self.engine, ENDPOINTS, values))

    def delete(self, name: str) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(ENDPOINTS.delete().where(ENDPOINTS.c.name == name))

    def list(self) -> list[DeploymentRow]:
        """Every version behind every endpoint, most recently deployed first."""
        rows = [r for e in self.endpoints() for r in e.rows()]
        return sorted(rows, key=lambda r: (-r.deployed_at, r.endpoint, r.version))

    def close(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _row(raw: tuple[Any, ...]) -> EndpointRow:
        values = dict(zip(_COLUMNS, raw, strict=True))
        for c in _JSON:
            values[c] = json.loads(values[c]) if values[c] is not None else None
        return EndpointRow(**values)
