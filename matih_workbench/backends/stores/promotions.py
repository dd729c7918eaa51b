"""Promotion requests (SQLite under the workspace) and per-model locks that hold across processes.

Kernels and the server of a workspace share ``home``: a request filed from a notebook is approved from the
side panel, and two promotions of one model never interleave, whatever process they run in.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from matih_workbench.backends.stores.database import create_state_engine, create_tables, state_url

_METADATA = sa.MetaData()
REQUESTS = sa.Table(
    "promotion_requests",
    _METADATA,
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("model", sa.Text(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("from_stage", sa.Text(), nullable=False),
    sa.Column("target_stage", sa.Text(), nullable=False),
    sa.Column("requested_by", sa.Text(), nullable=False),
    sa.Column("requested_at", sa.Float(), nullable=False),
    sa.Column("reason", sa.Text()),
    sa.Column("status", sa.Text(), nullable=False),
    sa.Column("evidence", sa.Text(), nullable=False),
    sa.Column("decided_by", sa.Text()),
    sa.Column("decided_at", sa.Float()),
    sa.Column("comment", sa.Text()),
    sa.Column("decision_checks", sa.Text()),
    sa.Index("promotion_requests_status", "status", "requested_at"),
    sa.Index("promotion_requests_model", "model", "version"),
)


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


class PromotionStore:
    """Promotion requests as ``PromotionRow``s; decisions are compare-and-set. ``where``: a SQLAlchemy URL
    (a shared deployment's database) or the path of a SQLite file (the embedded default)."""

    def __init__(self, where: str | Path) -> None:
        self.url = state_url(where)
        self.engine = create_state_engine(self.url)
        self._lock = threading.Lock()
        create_tables(self.engine, REQUESTS)
        known = {c["name"] for c in sa.inspect(self.engine).get_columns("promotion_requests")}
        if "decision_checks" not in known:  # a store made before approvals recorded what they saw
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.text("ALTER TABLE promotion_requests ADD COLUMN decision_checks TEXT"))
            except sa.exc.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise

    def add(self, row: PromotionRow) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(REQUESTS.insert(), {c: getattr(row, c) for c in COLUMNS})

    def get(self, request_id: str) -> PromotionRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_columns()).where(REQUESTS.c.id == request_id)).first()
        return PromotionRow(*row) if row else None

    def list(
        self, status: str | None = None, model: str | None = None, version: int | None = None
    ) -> list[PromotionRow]:
        query = sa.select(*_columns())
        for column, value in (("status", status), ("model", model), ("version", version)):
            if value is not None:
                query = query.where(REQUESTS.c[column] == value)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(REQUESTS.c.requested_at, REQUESTS.c.id)).all()
        return [PromotionRow(*r) for r in rows]

    def decide(
        self, request_id: str, status: str, user: str, comment: str, checks: str | None = None
    ) -> bool:
        """Close a pending request; False when it was not pending any more (someone else decided)."""
        update = (
            REQUESTS.update()
            .where(REQUESTS.c.id == request_id, REQUESTS.c.status == "pending")
            .values(
                status=status,
                decided_by=user,
                decided_at=time.time(),
                comment=comment,
                decision_checks=checks,
            )
        )
        with self._lock, self.engine.begin() as conn:
            return conn.execute(update).rowcount == 1

    def close(self) -> None:
        self.engine.dispose()


def _columns() -> list[Any]:
    return [REQUESTS.c[c] for c in COLUMNS]


def _model_key(model: str) -> str:
    return hashlib.sha1(model.encode()).hexdigest()[:16]


class ModelLocks:
    """One exclusive lock per model name that excludes other threads and other processes alike: a
    PostgreSQL advisory lock when ``state_url`` names a PostgreSQL database (every user's servers and kernels
    share it), else a ``flock`` on a file in ``directory``."""

    def __init__(self, directory: Path, state_url: str = "") -> None:
        self.directory = directory
        self.advisory: AdvisoryModelLocks | None = None
        if state_url and sa.engine.make_url(state_url).get_backend_name() == "postgresql":
            self.advisory = AdvisoryModelLocks(state_url)
        else:
            directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, model: str) -> Iterator[None]:
        if self.advisory is not None:
            with self.advisory.hold(model):
                yield
            return
        with open(self.directory / f"model-{_model_key(model)}.lock", "a") as handle:  # one per holder
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class AdvisoryModelLocks:
    """One PostgreSQL advisory lock per model name, held on its own connection: excludes every thread and
    process of every user's server and kernel that shares the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_state_engine(url)

    @contextmanager
    def hold(self, model: str) -> Iterator[None]:
        key = int(_model_key(model), 16) - 2**63  # a signed 64-bit key
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
            try:
                yield
            finally:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))

    def close(self) -> None:
        self.engine.dispose()
