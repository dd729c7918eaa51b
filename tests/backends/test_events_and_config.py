"""The events store across processes, and configuration precedence."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from matih_workbench.backends.stores.events import SqliteEventStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import InvalidInput
from matih_workbench.models import EventType
from matih_workbench.services.events import EventService


def _append_many(path: str, user: str, count: int) -> None:
    service = EventService(SqliteEventStore(Path(path)), user)
    for i in range(count):
        service.emit(EventType.MODEL_REGISTERED, f"model-{i}", {"i": i})


def test_events_from_several_processes_are_all_kept_in_order(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(path), f"user{n}", 50)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(180)  # each process imports the services first: slow on a busy machine
        assert w.exitcode == 0
    service = EventService(SqliteEventStore(path), "reader")
    events = service.list(after=0, limit=1000).events
    assert len(events) == 150
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert {e.user for e in events} == {"user0", "user1", "user2"}
    assert service.list(after=events[-2].id).events == [events[-1]]
    assert [e.subject for e in service.list(after=0, subject="model-7").events] == ["model-7"] * 3
    with pytest.raises(InvalidInput):
        service.list(after=-1)


def test_runs_changed_events_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matih_workbench.services.events as events_module

    monkeypatch.setattr(events_module, "RUNS_CHANGED_KEPT", 5)
    service = EventService(SqliteEventStore(tmp_path / "e.db"), "u")
    service.emit(EventType.MODEL_PROMOTED, "m", {})
    for i in range(20):
        service.emit(EventType.RUNS_CHANGED, str(i), {})
    kinds = [e.type for e in service.list(limit=100).events]
    assert kinds.count(EventType.RUNS_CHANGED) == 5 and kinds.count(EventType.MODEL_PROMOTED) == 1


def test_config_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("MATIH_TRACKING_URI", "MLFLOW_TRACKING_URI", "MATIH_TRACKING_READ_URI", "JUPYTERHUB_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MATIH_HOME", str(tmp_path))
    config = WorkbenchConfig()
    assert config.tracking_uri == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert config.tracking_read_uri == config.tracking_uri and config.mlflow_ui_url == ""

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    config = WorkbenchConfig()
    assert config.tracking_uri == "http://127.0.0.1:5000"
    assert config.tracking_read_uri == "" and config.mlflow_ui_url == "http://127.0.0.1:5000"
    assert config.user == "ada"

    monkeypatch.setenv("MATIH_TRACKING_URI", "postgresql://u:secret@db/mlflow")
    assert WorkbenchConfig().tracking_read_uri == "postgresql://u:secret@db/mlflow"
    explicit = WorkbenchConfig(tracking_uri="sqlite:///x.db", user="bob")
    assert explicit.tracking_uri == "sqlite:///x.db" and explicit.user == "bob"


def test_event_types_this_version_does_not_know_are_skipped_not_fatal(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    events = EventService(store, "ana")
    first = events.emit(EventType.MODEL_REGISTERED, "m")
    store.append("MODEL_FROM_THE_FUTURE", "bob", "m", {"x": 1})  # a newer workbench on the same store
    last = events.emit(EventType.MODEL_DEPLOYED, "m")
    assert [e.id for e in events.list().events] == [first.id, last.id]
    assert events.last_id() == last.id
