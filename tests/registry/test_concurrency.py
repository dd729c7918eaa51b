"""Concurrent promotions leave exactly one Production version: threads and processes racing."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from mlflow.tracking import MlflowClient

from matih_workbench.models import Decision, ModelStage
from matih_workbench.services import Workbench

from .conftest import make_run

S = ModelStage


def _pending_requests(alice: Workbench, client: MlflowClient, versions: int) -> list[str]:
    ids = []
    for version in range(1, versions + 1):
        alice.registry.register(make_run(client, {"auc": 0.9}), "churn")
        alice.registry.transition("churn", version, S.STAGING)
        request = alice.registry.transition("churn", version, S.PRODUCTION).request
        assert request is not None
        ids.append(request.id)
    return ids


def _assert_one_production(wb: Workbench, client: MlflowClient, versions: int) -> int:
    stages = {v.version: v.stage for v in wb.registry.get_model("churn").versions}
    production = [v for v, s in stages.items() if s is S.PRODUCTION]
    assert len(production) == 1, stages
    assert sorted(v for v, s in stages.items() if s is S.ARCHIVED) == sorted(set(stages) - set(production))
    assert int(client.get_model_version_by_alias("churn", "production").version) == production[0]
    tagged = [
        v
        for v in range(1, versions + 1)
        if client.get_model_version("churn", str(v)).tags["matih.stage"] == "Production"
    ]
    assert tagged == production
    return production[0]


def test_threads_approving_at_once(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    versions = 4
    ids = _pending_requests(as_user("alice"), client, versions)
    leads = [as_user("lead") for _ in ids]
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def approve(lead: Workbench, request_id: str) -> None:
        barrier.wait()
        try:
            lead.registry.decide(request_id, Decision(decision="approve"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(leads, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    winner = _assert_one_production(workbench, client, versions)
    history = workbench.registry.history("churn").history
    promoted = [r.version for r in history if r.type == "MODEL_PROMOTED" and r.to_stage == "Production"]
    archived = [r.version for r in history if r.type == "MODEL_ARCHIVED"]
    assert len(promoted) == versions and promoted[-1] == winner and sorted(archived) == sorted(promoted[:-1])


RACER = """
import sys
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision
from matih_workbench.services import Workbench
wb = Workbench.from_config(WorkbenchConfig(user="lead", registry_leads=["lead"]))
start = float(sys.argv[2])
import time
time.sleep(max(0.0, start - time.time()))
wb.registry.decide(sys.argv[1], Decision(decision="approve"))
"""


def test_processes_approving_at_once(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench], matih_home: Path
) -> None:
    import time

    ids = _pending_requests(as_user("alice"), client, 2)
    start = time.time() + 6  # both processes import, then start together
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, request_id, str(start)], stderr=subprocess.PIPE)
        for request_id in ids
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=180)
        assert racer.returncode == 0, err.decode()[-2000:]
    _assert_one_production(workbench, client, 2)
