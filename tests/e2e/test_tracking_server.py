"""The workbench against a real ``mlflow server`` process: client path, read-replica path, watcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from tests.conftest import seed_varied_runs


@pytest.fixture
def remote(mlflow_server: tuple[str, str], tmp_path: Path) -> tuple[MlflowClient, str, str]:
    url, db_uri = mlflow_server
    client = MlflowClient(tracking_uri=url)
    experiment_id = seed_varied_runs(client, f"remote-{tmp_path.name}", runs=25)
    return client, experiment_id, db_uri


def _workbench(home: Path, url: str, read_uri: str) -> Workbench:
    config = WorkbenchConfig(home=str(home), tracking_uri=url, tracking_read_uri=read_uri)
    return Workbench.from_config(config)


@pytest.mark.parametrize("order_by", [[], ["metrics.acc DESC"], ["params.model ASC", "metrics.loss DESC"]])
def test_client_and_replica_paths_equal_mlflow(
    remote: tuple[MlflowClient, str, str], mlflow_server: tuple[str, str], tmp_path: Path, order_by: list[str]
) -> None:
    client, experiment_id, db_uri = remote
    url = mlflow_server[0]
    expected = [
        r.info.run_id for r in client.search_runs([experiment_id], "metrics.acc > 0.2", order_by=order_by)
    ]
    for read_uri in ("", db_uri):
        workbench = _workbench(tmp_path / ((read_uri and "replica") or "client"), url, read_uri)
        assert workbench.info().fast_listing is bool(read_uri)
        ids, token = [], None
        while True:
            page = workbench.tracking.list_runs(experiment_id, "metrics.acc > 0.2", order_by, 6, token)
            ids += [r.run_id for r in page.runs]
            if not (token := page.next_page_token):
                break
        assert ids == expected
        assert page.runs[0].mlflow_url and page.runs[0].mlflow_url.startswith(url)


def test_watcher_sees_changes_made_by_plain_clients(
    remote: tuple[MlflowClient, str, str], mlflow_server: tuple[str, str], tmp_path: Path
) -> None:
    client, experiment_id, _ = remote
    workbench = _workbench(tmp_path, mlflow_server[0], "")
    assert workbench.watcher.poll() == []
    run = client.create_run(experiment_id, run_name="late")
    events = workbench.watcher.poll()
    assert [(e.type, e.subject) for e in events] == [(EventType.RUNS_CHANGED, experiment_id)]
    client.log_metric(run.info.run_id, "acc", 0.99)
    assert [e.subject for e in workbench.watcher.poll()] == [experiment_id]
    assert workbench.watcher.poll() == []
    assert workbench.tracking.best_run(experiment_id, "acc", "max").run.run_name == "late"
