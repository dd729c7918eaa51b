"""The deployments store on a real PostgreSQL: endpoints saved, replaced (upsert), listed and deleted alike
from two connections; and a SQLite file of the earlier sqlite3 store still read and written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow


def _endpoint(
    name: str, versions: dict[str, int], at: float, canary: dict[str, int] | None = None
) -> EndpointRow:
    routes = [{"version": v, "weight": w, "shadow": False} for v, w in versions.items()]
    return EndpointRow(
        name=name,
        model="churn",
        spec={"name": name, "model": "churn", "routes": routes},
        deployed={v: {"by": "ana", "at": at} for v in versions},
        canary=canary,
        admin_token="t",
        server="ray-serve",
        url=f"http://127.0.0.1:8000/{name}",
        created_by="ana",
        created_at=at,
        updated_at=at,
    )


def test_endpoints_on_postgres_are_shared_replaced_and_deleted(
    postgres_database: Callable[[str], str],
) -> None:
    url = postgres_database("deployments")
    writer, reader = DeploymentStore(url), DeploymentStore(url)  # two users' servers
    assert writer.engine.dialect.name == "postgresql"
    writer.save(_endpoint("old", {"1": 100}, 10.0))
    writer.save(_endpoint("new", {"1": 90, "2": 10}, 20.0, canary={"step": 10}))
    assert [e.name for e in reader.endpoints()] == ["new", "old"]
    assert reader.endpoint("new") == _endpoint("new", {"1": 90, "2": 10}, 20.0, canary={"step": 10})
    assert [(r.endpoint, r.version, r.traffic) for r in reader.list()] == [
        ("new", "1", 90),
        ("new", "2", 10),
        ("old", "1", 100),
    ]
    writer.save(_endpoint("new", {"2": 100}, 20.0))  # a rollout finished: the same row, replaced
    replaced = reader.endpoint("new")
    assert replaced is not None and replaced.canary is None and [r.version for r in replaced.rows()] == ["2"]
    assert len(reader.endpoints()) == 2
    writer.delete("old")
    assert reader.endpoint("old") is None and [e.name for e in reader.endpoints()] == ["new"]
    writer.close()
    reader.close()


def test_a_sqlite_deployments_file_of_the_earlier_store_is_still_used(tmp_path: Path) -> None:
    path = tmp_path / "deployments.db"
    with closing(sqlite3.connect(path)) as db, db:  # the schema the sqlite3 store created
        db.execute(
            "CREATE TABLE endpoints (name TEXT PRIMARY KEY, model TEXT NOT NULL, spec TEXT NOT NULL,"
            " deployed TEXT NOT NULL, canary TEXT, admin_token TEXT NOT NULL, server TEXT NOT NULL,"
            " url TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL,"
            " updated_at REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO endpoints VALUES ('e', 'churn', '{\"routes\": []}', '{}', NULL, 't', 'ray-serve',"
            " 'http://x', 'old', 1.0, 1.0)"
        )
    store = DeploymentStore(path)
    old = store.endpoint("e")
    assert old is not None and old.created_by == "old" and old.spec == {"routes": []}
    store.save(_endpoint("e", {"3": 100}, 5.0))
    store.save(_endpoint("f", {"1": 100}, 6.0))
    assert [e.name for e in store.endpoints()] == ["f", "e"]
    assert [r.version for r in store.list()] == ["1", "3"]
    store.close()
