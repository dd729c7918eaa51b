"""Feature store fixtures: every test of this folder points the workbench at the session's ONE Feast
repository (``demo_repo`` in tests/conftest.py) through ``MATIH_FEATURE_REPO``. A real ``redis-server``
process for the Redis online store tests."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from tests.conftest import LEAK, DemoRepo, free_port

HOURLY_VIEW = "driver_hourly_stats"
PROFILE_VIEW = "driver_profile"
SERVICE = "driver_activity"
__all__ = ["LEAK", "DemoRepo"]


@pytest.fixture(autouse=True)
def on_demo_repo(demo_repo: DemoRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workbench of a test here (kernel, server, the ``workbench`` fixture) uses the session repo."""
    monkeypatch.setenv("MATIH_FEATURE_REPO", str(demo_repo.path))
    for name in ("MATIH_FEATURE_ONLINE_STORE", "MATIH_FEATURE_REGISTRY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory, demo_repo: DemoRepo) -> Workbench:
    """One workbench per module over its own workspace and the session repo (building one creates an
    MLflow database: seconds, not to be paid by every test)."""
    home = tmp_path_factory.mktemp("home")
    config = WorkbenchConfig(
        home=str(home), tracking_uri=f"sqlite:///{home / 'mlflow.db'}", feature_repo=str(demo_repo.path)
    )
    return Workbench.from_config(config)


@pytest.fixture
def materialized(wb: Workbench) -> float:
    """The session repo materialized up to now (incrementally); returns that end, epoch seconds."""
    job = wb.features.wait(wb.features.materialize().id)
    assert job.status == "SUCCEEDED", job.error
    return job.end


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Debian ``redis-server`` on 127.0.0.1 (no persistence), one per session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: apt-get install -y redis-server (scripts/test does)")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = open(folder / "redis.log", "wb")  # noqa: SIM115
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    import redis

    client = redis.Redis(port=port)
    deadline = time.time() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError((folder / "redis.log").read_text()) from None
            time.sleep(0.1)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=30)
    log.close()


def workbench_on(home: Path, **settings: str) -> Workbench:
    """A workbench over ``home`` with feature settings (online store, registry...) besides the repo's."""
    return Workbench.from_config(WorkbenchConfig(home=str(home), **settings))
