"""The shared fixtures, each defined once: a workspace (MATIH_HOME) with a real MLflow SQLite store, the
workbench over it and a plain MLflow client, a kernel's InteractiveShell with the extension loaded, the
jupyter-server configuration (varied by indirect parametrisation), one ``mlflow server`` and one Feast
repository per session.
Fixtures of one area live in its conftest (``ray_session`` in training/, ``as_user`` in registry/)."""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture(scope="session")
def empty_mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite database with its schema and nothing else. Creating one runs MLflow's migrations
    (seconds); every test's workspace starts from a copy instead (milliseconds)."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    root = tmp_path_factory.mktemp("mlflow-template")
    store = SqlAlchemyStore(f"sqlite:///{root / 'mlflow.db'}", (root / "artifacts").as_uri())
    store.engine.dispose()
    return root / "mlflow.db"


@pytest.fixture
def matih_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_mlflow_store: Path) -> Path:
    """The test's workspace, its MLflow store a copy of ``empty_mlflow_store`` (the Default experiment's
    artifacts under this workspace, as a store created here would have them)."""
    home = tmp_path / "matih"
    home.mkdir()
    shutil.copyfile(empty_mlflow_store, home / "mlflow.db")
    with closing(sqlite3.connect(home / "mlflow.db")) as db, db:
        location = (home / "artifacts" / "0").as_uri()
        db.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0", (location,))
    monkeypatch.setenv("MATIH_HOME", str(home))
    for var in (
        "MLFLOW_TRACKING_URI",
        "MATIH_TRACKING_URI",
        "MATIH_STATE_URL",
        "MATIH_TRACKING_READ_URI",
        "MATIH_MLFLOW_UI_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def config(matih_home: Path) -> WorkbenchConfig:
    return WorkbenchConfig()


@pytest.fixture
def workbench(config: WorkbenchConfig) -> Iterator[Workbench]:
    wb = Workbench.from_config(config)
    yield wb
    if wb.tracking.tracking.reader:
        wb.tracking.tracking.reader.close()


@pytest.fixture
def server(matih_home: Path) -> Iterator[Workbench]:
    """What the Jupyter server builds beside a kernel's ``workbench``: its own connections to the same
    stores (same MATIH_HOME), its own user, a lead (who may cancel anyone's training job)."""
    wb = Workbench.from_config(WorkbenchConfig(user="panel-user", registry_leads=["panel-user"]))
    yield wb
    if wb.tracking.tracking.reader:
        wb.tracking.tracking.reader.close()


@pytest.fixture
def client(workbench: Workbench, config: WorkbenchConfig) -> MlflowClient:
    """A plain MLflow client (tracking and registry) on the workbench's store."""
    return MlflowClient(tracking_uri=config.tracking_uri, registry_uri=config.tracking_uri)


@pytest.fixture
def shell(matih_home: Path) -> Iterator[InteractiveShell]:
    """A kernel's shell with ``%load_ext matih_workbench`` done, on the test's MATIH_HOME."""
    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("matih_workbench")
    yield ip
    ip.extension_manager.unload_extension("matih_workbench")
    InteractiveShell.clear_instance()


@pytest.fixture
def jp_server_config(matih_home: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """pytest-jupyter's server with our extension on the test's MATIH_HOME. A module, class or directory
    varies it by indirect parametrisation with overrides, e.g. ``@pytest.mark.parametrize("jp_server_config",
    [{"WorkbenchConfig": {"user": "sam"}}], indirect=True)``."""
    overrides: dict[str, dict[str, Any]] = getattr(request, "param", {})
    return {
        "ServerApp": {
            "jpserver_extensions": {"matih_workbench_server": True},
            **overrides.get("ServerApp", {}),
        },
        "WorkbenchConfig": {
            "home": str(matih_home),
            "watch_interval": 0.2,  # the event stream notices new runs within a test's patience
            "monitoring_interval": 0,  # no background baselines or checks unless a test asks for them
            **overrides.get("WorkbenchConfig", {}),
        },
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real ``mlflow server`` process on 127.0.0.1, one per session: ``(http tracking URI, its SQLite
    database URI)``. Tests sharing it name their experiments and models uniquely."""
    root = tmp_path_factory.mktemp("mlflow-server")
    db_uri = f"sqlite:///{root / 'mlflow.db'}"
    port = free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            db_uri,
            "--default-artifact-root",
            (root / "artifacts").as_uri(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((root / "server.log").read_text()) from None
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("mlflow server did not start:\n" + Path(root / "server.log").read_text())
    yield url, db_uri
    process.terminate()
    process.wait(timeout=30)
    log.close()


def seed_varied_runs(client: MlflowClient, experiment: str, runs: int = 60, seed: int = 1) -> str:
    """Runs with missing metrics, NaN metrics, ties, mixed-case params, deleted runs and histories."""
    experiment_id = client.create_experiment(experiment)
    rng = random.Random(seed)
    base = int(time.time() * 1000)
    for i in range(runs):
        run = client.create_run(experiment_id, run_name=f"run-{i:03d}", start_time=base + (i % 7) * 1000)
        metrics = [Metric("acc", round(rng.random(), 2), base, s) for s in range(3)]
        if i % 5:
            metrics.append(Metric("loss", rng.choice([0.1, 0.2, 0.3, math.nan]), base, 0))
        if i % 11 == 0:
            metrics.append(Metric("rare", float(i), base, 0))
        params = [
            Param("model", rng.choice(["RF", "rf", "xgb", "Logistic"])),
            Param("depth", str(rng.randint(1, 9))),
        ]
        if i % 4 == 0:
            params.append(Param("lr", str(rng.choice([0.1, 0.01]))))
        tags = [RunTag("team", rng.choice(["a", "b"]))]
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
        if i % 3:
            client.set_terminated(run.info.run_id, status=rng.choice(["FINISHED", "FAILED"]))
        if i % 13 == 5:
            client.delete_run(run.info.run_id)
    return str(experiment_id)


LEAK = 999.0


@dataclass(frozen=True)
class DemoRepo:
    path: Path
    end: dt.datetime  # the last hour of data
    planted_at: dt.datetime  # driver 1001's conv_rate is LEAK from here until the next hour's row

    def hourly(self) -> Path:
        from matih_workbench.backends.feast.demo import HOURLY

        return self.path / HOURLY


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    """ONE Feast repository per session, written from the bundled demo into a temporary folder (its data
    ends at the current UTC hour, plus one planted row from the future of some training rows) and applied."""
    from matih_workbench.backends.feast.demo import plant, write_repo
    from matih_workbench.backends.feast.repo import RepoSettings
    from matih_workbench.backends.feast.store import FeastStore

    path = tmp_path_factory.mktemp("features") / "repo"
    end = write_repo(path)
    planted_at = end - dt.timedelta(hours=30) + dt.timedelta(minutes=45)
    plant(path, 1001, planted_at, conv_rate=LEAK)
    FeastStore(RepoSettings(repo=str(path), demo_folder=path.parent / "unused")).apply()
    return DemoRepo(path, end, planted_at)
