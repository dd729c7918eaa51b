"""Fixtures of the shared deployment: one real PostgreSQL per test session."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from matih_workbench.services import Workbench
from tests.deploy.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster started for the session (Debian's initdb / pg_ctl), stopped and removed after."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


_numbers = itertools.count()


@pytest.fixture
def postgres_database(postgres: PostgresServer) -> Callable[[str], str]:
    """Makes a new, empty database (a unique name per call) and returns its URL."""
    return lambda prefix: postgres.create_database(f"{prefix}_{next(_numbers)}")


def close_state(workbench: Workbench) -> None:
    """Closes a workbench's connections to its state database (a dropped psycopg connection warns)."""
    advisory = workbench.registry.locks.advisory
    for store in (workbench.events.store, workbench.registry.store, advisory):
        close = getattr(store, "close", None)
        if close is not None:
            close()
