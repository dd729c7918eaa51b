"""The workbench's own state databases: engines and schema creation shared by the stores.

Embedded defaults are SQLite files under the workspace (WAL); a shared deployment names one database
(``state_url``, e.g. PostgreSQL) that every user's servers and kernels use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def state_url(where: str | Path) -> str:
    """A database URL as given, or a SQLite file's URL (its folder made if missing)."""
    if isinstance(where, Path):
        where.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{where}"
    return where


def create_state_engine(url: str) -> sa.Engine:
    """An engine on the workbench's own state database; SQLite files in WAL mode with a long busy wait."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_wal)
    return engine


def create_tables(engine: sa.Engine, *tables: sa.Table) -> None:
    """``CREATE ... IF NOT EXISTS`` of the tables and their indexes, safe when several processes start at
    once (on PostgreSQL, concurrent creations are serialised by a transaction-level advisory lock)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
        for table in tables:
            conn.execute(sa.schema.CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))


_SCHEMA_LOCK = 0x6D61746968  # "matih": the advisory lock key of schema creation


def _sqlite_wal(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def upsert(engine: sa.Engine, table: sa.Table, values: Mapping[str, Any]) -> Any:
    """An INSERT that replaces the row with the same primary key (SQLite and PostgreSQL)."""
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table).values(**values)
    keys = [c.name for c in table.primary_key.columns]
    changed = {c: insert.excluded[c] for c in values if c not in keys}
    return insert.on_conflict_do_update(index_elements=keys, set_=changed)
