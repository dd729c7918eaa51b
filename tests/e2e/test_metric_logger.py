"""The async metric logger against a real ``mlflow server``: every point delivered, even across a restart."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.metric_logger import AsyncMetricLogger, redeliver_spool
from tests.conftest import free_port


def _count(client: MlflowClient, run_id: str, keys: list[str]) -> int:
    return sum(len(client.get_metric_history(run_id, key)) for key in keys)


def _new_run(client: MlflowClient) -> str:
    experiment_id = client.create_experiment(f"logger-{time.time_ns()}")
    return client.create_run(experiment_id).info.run_id


def test_every_point_is_delivered_and_log_is_cheap(mlflow_server: tuple[str, str], tmp_path: Path) -> None:
    uri, _ = mlflow_server
    client = MlflowClient(uri)
    run_id = _new_run(client)
    logger = AsyncMetricLogger(uri, run_id, tmp_path / "spool")
    samples = []
    for step in range(5000):
        start = time.perf_counter_ns()
        logger.log("loss", 1.0 / (step + 1), step)
        logger.log("acc", float("nan") if step == 7 else step / 5000, step)
        samples.append((time.perf_counter_ns() - start) / 2)
    logger.log_metrics({"final": 1.0, "epochs": 5000}, step=5000)
    assert logger.flush(60)
    stats = logger.close()
    assert (stats.logged, stats.delivered, stats.unaccounted, stats.spilled_pending) == (10_002, 10_002, 0, 0)
    assert _count(client, run_id, ["loss", "acc", "final", "epochs"]) == 10_002
    assert statistics.median(samples) < 20_000, "median per-point loop time under 20 µs even on a busy box"
    assert stats.batches <= 12, "batched, not one call per point"


def test_rejected_points_are_isolated_and_counted(mlflow_server: tuple[str, str], tmp_path: Path) -> None:
    uri, _ = mlflow_server
    client = MlflowClient(uri)
    run_id = _new_run(client)
    logger = AsyncMetricLogger(uri, run_id, tmp_path)
    for step in range(100):
        logger.log("good", float(step), step)
    logger.log("bad\x00key", 1.0, 0)
    stats = logger.close()
    assert (stats.delivered, stats.rejected, stats.unaccounted) == (100, 1, 0)
    assert _count(client, run_id, ["good"]) == 100
    assert "bad" in next(tmp_path.glob("rejected-*.jsonl")).read_text()


class _Server:
    """An ``mlflow server`` process of our own, so the test can kill and restart it."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.uri = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.root / "server.log", "ab") as log:  # the server keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mlflow", "server",
                 "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
                 "--default-artifact-root", (self.root / "a").as_uri(),
                 "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.uri}/health", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError((self.root / "server.log").read_text())

    def kill(self) -> None:
        assert self.process is not None
        tree = psutil.Process(self.process.pid)
        for process in [*tree.children(recursive=True), tree]:  # the server, uvicorn and job workers
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs([tree], timeout=30)
        self.process.wait(30)


@pytest.fixture
def own_server(tmp_path: Path) -> _Server:
    server = _Server(tmp_path, free_port())
    server.start()
    yield server  # type: ignore[misc]
    if server.process and server.process.poll() is None:
        server.kill()


def test_server_down_mid_run_buffers_spills_and_redelivers(own_server: _Server, tmp_path: Path) -> None:
    client = MlflowClient(own_server.uri)
    run_id = _new_run(client)
    logger = AsyncMetricLogger(own_server.uri, run_id, tmp_path / "spool", spill_after=1.0, max_backoff=0.5)
    step = 0
    worst = 0.0

    def train(seconds: float) -> None:
        nonlocal step, worst
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            logger.log("loss", 1.0 / (step + 1), step)
            worst = max(worst, time.perf_counter() - start)
            step += 1
            time.sleep(0.0005)

    train(1.0)
    own_server.kill()
    train(3.0)  # the store is away: the loop goes on
    down = logger.stats()
    assert down.failures > 0 and down.spilled_pending > 0 and Path(str(down.spill_path)).exists()
    assert worst < 0.05, f"a log() call blocked for {worst * 1000:.1f} ms"
    own_server.start()
    train(1.0)
    assert logger.flush(60), logger.stats()
    stats = logger.close()
    assert stats.logged == step and stats.delivered == step and stats.unaccounted == 0
    assert stats.spilled_pending == 0 and not list((tmp_path / "spool").glob("*.jsonl"))
    assert _count(client, run_id, ["loss"]) == step


def test_close_on_a_dead_store_spills_then_redelivery_completes(own_server: _Server, tmp_path: Path) -> None:
    client = MlflowClient(own_server.uri)
    run_id = _new_run(client)
    logger = AsyncMetricLogger(own_server.uri, run_id, tmp_path / "spool")
    own_server.kill()
    for step in range(2500):
        logger.log("loss", float(step), step)
    started = time.monotonic()
    stats = logger.close(timeout=2.0)
    assert time.monotonic() - started < 10
    assert stats.delivered == 0 and stats.spilled_pending == 2500 and stats.unaccounted == 0
    own_server.start()
    assert redeliver_spool(tmp_path / "spool", own_server.uri) == 2500
    assert _count(client, run_id, ["loss"]) == 2500
    assert not list((tmp_path / "spool").glob("*.jsonl"))
