"""The events store on a real PostgreSQL (``state_url``): appends from several processes all kept in order,
pruning, unknown types skipped, two users' workbenches sharing one stream; and a SQLite file made by the
earlier sqlite3 store still read and written."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from matih_workbench.backends.stores.events import SqlEventStore, SqliteEventStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import InvalidInput
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.events import EventService
from tests.deploy.conftest import close_state


def _append_many(url: str, user: str, count: int) -> None:
    service = EventService(SqlEventStore(url), user)
    for i in range(count):
        service.emit(EventType.MODEL_REGISTERED, f"model-{i}", {"i": i})


def test_events_from_several_processes_are_all_kept_in_order(postgres_database: Callable[[str], str]) -> None:
    url = postgres_database("events")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(url, f"user{n}", 40)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    store = SqlEventStore(url)
    assert store.engine.dialect.name == "postgresql"
    service = EventService(store, "reader")
    events = service.list(after=0, limit=1000).events
    assert len(events) == 120 and len({e.id for e in events}) == 120
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert {e.user for e in events} == {"user0", "user1", "user2"}
    assert service.list(after=events[-2].id).events == [events[-1]]
    assert [e.subject for e in service.list(after=0, subject="model-7").events] == ["model-7"] * 3
    assert service.list(after=2**63 - 1).events == []
    assert service.last_id() == events[-1].id
    with pytest.raises(InvalidInput):
        service.list(after=-1)
    store.close()


def test_pruning_and_unknown_types_on_postgres(
    postgres_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matih_workbench.services.events as events_module

    monkeypatch.setattr(events_module, "RUNS_CHANGED_KEPT", 5)
    store = SqlEventStore(postgres_database("prune"))
    service = EventService(store, "u")
    first = service.emit(EventType.MODEL_PROMOTED, "m", {"note": "kept"})
    for i in range(20):
        service.emit(EventType.RUNS_CHANGED, str(i), {})
    store.append("MODEL_FROM_THE_FUTURE", "bob", "m", {"x": 1})  # a newer workbench on the same store
    events = service.list(limit=100).events
    kinds = [e.type for e in events]
    assert kinds.count(EventType.RUNS_CHANGED) == 5 and kinds.count(EventType.MODEL_PROMOTED) == 1
    assert [e.subject for e in events if e.type is EventType.RUNS_CHANGED] == ["15", "16", "17", "18", "19"]
    assert events[0] == first and events[0].payload == {"note": "kept"}
    assert service.last_id() > events[-1].id  # the unknown one is stored, not shown
    store.close()


def test_two_users_workbenches_share_one_event_stream(
    tmp_path: Path, postgres_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATIH_STATE_URL", postgres_database("state"))
    benches = []
    for user in ("ana", "bob"):  # two users' servers: their own homes and tracking, one shared state
        home = tmp_path / user
        config = WorkbenchConfig(home=str(home), user=user, tracking_uri=f"sqlite:///{home}/mlflow.db")
        assert config.state_url.startswith("postgresql://")
        benches.append(Workbench.from_config(config))
    ana, bob = benches
    sent = ana.events.emit(EventType.MODEL_REGISTERED, "churn", {"version": 1})
    seen = bob.events.list(after=0).events
    assert seen == [sent] and seen[0].user == "ana"
    assert not (tmp_path / "ana" / "events.db").exists()
    for bench in benches:
        assert isinstance(bench.events.store, SqlEventStore)
        close_state(bench)


def test_a_sqlite_events_file_of_the_earlier_store_is_still_used(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    with closing(sqlite3.connect(path)) as db, db:  # the schema the sqlite3 store created
        db.executescript(
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL,"
            " time REAL NOT NULL,"
            " user TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL);"
            "CREATE INDEX events_subject ON events (subject, id);"
            "INSERT INTO events (type, time, user, subject, payload) "
            "VALUES ('MODEL_REGISTERED', 1.5, 'old', 'm', '{\"v\": 1}');"
        )
    store = SqliteEventStore(path)
    service = EventService(store, "new")
    [old] = service.list().events
    assert (old.id, old.user, old.payload) == (1, "old", {"v": 1})
    new = service.emit(EventType.MODEL_DEPLOYED, "m")
    assert new.id == 2 and [e.id for e in service.list().events] == [1, 2]
    store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
