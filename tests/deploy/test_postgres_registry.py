"""Promotion requests and model locks on a real PostgreSQL (``state_url``): compare-and-set decisions,
advisory locks that exclude other connections, and the "one Production at a time" race run by two
processes that share no workspace folder (so no file lock could hold them), only the databases."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mlflow.tracking import MlflowClient

from matih_workbench.backends.stores.events import SqlEventStore
from matih_workbench.backends.stores.promotions import (
    AdvisoryModelLocks,
    ModelLocks,
    PromotionRow,
    PromotionStore,
)
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import ModelStage
from matih_workbench.services import Workbench
from tests.deploy.conftest import close_state
from tests.registry.conftest import make_run

S = ModelStage


def _row(request_id: str, requested_at: float) -> PromotionRow:
    return PromotionRow(
        request_id, "churn", 1, "Staging", "Production", "alice", requested_at, None, "pending", "{}"
    )


def test_promotion_requests_on_postgres_decide_once(postgres_database: Callable[[str], str]) -> None:
    store = PromotionStore(postgres_database("promotions"))
    assert store.engine.dialect.name == "postgresql"
    store.add(_row("b", 2.0))
    store.add(_row("a", 2.0))
    store.add(_row("c", 1.0))
    assert [r.id for r in store.list()] == ["c", "a", "b"]  # by time, then id
    assert store.get("a") == _row("a", 2.0) and store.get("zz") is None
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def decide(user: str) -> None:
        barrier.wait()
        results.append(store.decide("a", "approved", user, "ok", '{"checks": []}'))

    threads = [threading.Thread(target=decide, args=(f"lead{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False, False, False, True]
    decided = store.get("a")
    assert (
        decided is not None and decided.status == "approved" and decided.decision_checks == '{"checks": []}'
    )
    assert [r.id for r in store.list(status="pending", model="churn", version=1)] == ["c", "b"]
    store.close()


def test_advisory_locks_exclude_other_connections(
    postgres_database: Callable[[str], str], tmp_path: Path
) -> None:
    url = postgres_database("locks")
    locks = ModelLocks(tmp_path / "unused", url)
    assert isinstance(locks.advisory, AdvisoryModelLocks) and not (tmp_path / "unused").exists()
    other = AdvisoryModelLocks(url)  # another process's view of the same database
    order: list[str] = []

    def wait_then_record() -> None:
        with other.hold("churn"):
            order.append("other")

    with locks.hold("churn"):
        waiter = threading.Thread(target=wait_then_record)
        waiter.start()
        with other.hold("fraud"):  # another model is not held up
            order.append("fraud")
        time.sleep(0.5)
        order.append("first released")
    waiter.join(10)
    assert order == ["fraud", "first released", "other"]
    assert ModelLocks(tmp_path / "files").advisory is None  # no state_url: file locks as before
    other.engine.dispose()
    assert locks.advisory is not None
    locks.advisory.close()


RACER = """
import sys, time
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision
from matih_workbench.services import Workbench
wb = Workbench.from_config(WorkbenchConfig(user="lead", registry_leads=["lead"]))
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
wb.registry.decide(sys.argv[1], Decision(decision="approve"))
"""


def test_processes_of_two_servers_approving_at_once_leave_one_production(
    tmp_path: Path, postgres_database: Callable[[str], str]
) -> None:
    tracking, state = postgres_database("tracking"), postgres_database("state")
    env = {**os.environ, "MATIH_TRACKING_URI": tracking, "MATIH_STATE_URL": state}
    env.pop("MLFLOW_TRACKING_URI", None)
    alice = Workbench.from_config(
        WorkbenchConfig(home=str(tmp_path / "alice"), user="alice", tracking_uri=tracking, state_url=state)
    )
    client = MlflowClient(tracking_uri=tracking, registry_uri=tracking)
    ids = []
    for version in (1, 2):
        alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
        alice.registry.transition("churn", version, S.STAGING)
        request = alice.registry.transition("churn", version, S.PRODUCTION).request
        assert request is not None
        ids.append(request.id)
    start = time.time() + 8  # both processes import, then decide together
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, request_id, str(start)],
            env={**env, "MATIH_HOME": str(tmp_path / f"server-{n}")},  # no shared folder, no shared file lock
            stderr=subprocess.PIPE,
        )
        for n, request_id in enumerate(ids)
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=240)
        assert racer.returncode == 0, err.decode()[-2000:]
    stages = {v.version: v.stage for v in alice.registry.get_model("churn").versions}
    production = [v for v, s in stages.items() if s is S.PRODUCTION]
    assert len(production) == 1 and stages[3 - production[0]] is S.ARCHIVED, stages
    assert int(client.get_model_version_by_alias("churn", "production").version) == production[0]
    assert {r.status for r in alice.registry.promotions(status=None).requests} == {"approved"}
    assert not (tmp_path / "alice" / "registry.db").exists()
    assert isinstance(alice.events.store, SqlEventStore) and alice.registry.locks.advisory is not None
    close_state(alice)
