"""Metric logging from a training loop against a local ``mlflow server`` (SQLite), same server for all.

Peers: ``MlflowClient.log_metric`` per point (loop time per point) and hand-batched ``log_batch`` of 1,000
(delivered points/s). Ours: ``AsyncMetricLogger.log`` per point (median and p99 loop time), delivered
points/s from the first ``log`` to the end of ``close()``, and the points counted in the store's database.
"""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

from benchmarks.harness import Entry, entry
from benchmarks.tracking_listing import _free_port
from matih_workbench.backends.mlflow.metric_logger import AsyncMetricLogger

POINTS = 100_000  # ours and the hand-batched peer
PER_POINT_PEER = 300  # MlflowClient.log_metric is ~ms per point: a sample is enough


class MlflowServer:
    def __init__(self, root: Path) -> None:
        self.db = root / "mlflow.db"
        self.uri = f"http://127.0.0.1:{_free_port()}"
        self.log = open(root / "server.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{self.db}",
             "--default-artifact-root", (root / "artifacts").as_uri(), "--host", "127.0.0.1",
             "--port", self.uri.rsplit(":", 1)[1], "--workers", "1"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.uri}/health", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("mlflow server did not start")

    def count(self, run_id: str) -> int:
        with sqlite3.connect(self.db) as conn:
            row = conn.execute("SELECT COUNT(*) FROM metrics WHERE run_uuid = ?", (run_id,)).fetchone()
        return int(row[0])

    def stop(self) -> None:
        import psutil

        tree = psutil.Process(self.process.pid)
        for process in [*tree.children(recursive=True), tree]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
        psutil.wait_procs([tree], timeout=30)
        self.log.close()


def _us(samples_ns: list[int], q: float) -> float:
    ordered = sorted(samples_ns)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def run() -> list[Entry]:
    with tempfile.TemporaryDirectory(prefix="matih-bench-metrics-") as tmp:
        server = MlflowServer(Path(tmp))
        try:
            return _measure(server, Path(tmp))
        finally:
            server.stop()


def _measure(server: MlflowServer, tmp: Path) -> list[Entry]:
    client = MlflowClient(server.uri)
    experiment_id = client.create_experiment("metric-logging")

    # Peer 1: log_metric per point, loop time.
    run_id = client.create_run(experiment_id, run_name="peer-log-metric").info.run_id
    peer_ns = []
    for step in range(PER_POINT_PEER):
        start = time.perf_counter_ns()
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
        peer_ns.append(time.perf_counter_ns() - start)
    peer_us = statistics.median(peer_ns) / 1000

    # Peer 2: hand-batched log_batch of 1,000, delivered points/s.
    run_id = client.create_run(experiment_id, run_name="peer-log-batch").info.run_id
    start = time.perf_counter()
    now = int(time.time() * 1000)
    for first in range(0, POINTS, 1000):
        batch = [Metric("loss", 1.0 / (s + 1), now, s) for s in range(first, first + 1000)]
        client.log_batch(run_id, metrics=batch)
    peer_rate = POINTS / (time.perf_counter() - start)

    # Ours: a training loop calling log() per point; delivery until close() returns.
    run_id = client.create_run(experiment_id, run_name="matih-async").info.run_id
    logger = AsyncMetricLogger(server.uri, run_id, tmp / "spool")
    ours_ns = []
    start = time.perf_counter()
    for step in range(POINTS):
        t0 = time.perf_counter_ns()
        logger.log("loss", 1.0 / (step + 1), step)
        ours_ns.append(time.perf_counter_ns() - t0)
    stats = logger.close(timeout=300)
    ours_rate = POINTS / (time.perf_counter() - start)
    stored = server.count(run_id)
    median_us, p99_us = _us(ours_ns, 0.5), _us(ours_ns, 0.99)
    print(
        f"  log(): median {median_us:.2f} µs, p99 {p99_us:.2f} µs (log_metric {peer_us:.0f} µs); "
        f"delivered {ours_rate:,.0f} pts/s (log_batch {peer_rate:,.0f}); stored {stored:,}/{POINTS:,}",
        flush=True,
    )
    every = stored == POINTS and stats.delivered == POINTS and stats.unaccounted == 0
    return [
        entry(
            "metric logging: loop time per point, median",
            median_us,
            peer_us,
            "µs",
            "< 10 µs (peer: MlflowClient.log_metric)",
            median_us < 10,
        ),
        entry(
            "metric logging: loop time per point, p99",
            p99_us,
            _us(peer_ns, 0.99),
            "µs",
            "< 100 µs (peer: MlflowClient.log_metric p99)",
            p99_us < 100,
        ),
        entry(
            f"metric logging: delivered throughput ({POINTS:,} points)",
            ours_rate,
            peer_rate,
            "points/s",
            ">= hand-batched log_batch of 1,000",
            ours_rate >= peer_rate,
            "ratio here is peer/ours, so below 1 is better for a rate",
        ),
        entry(
            "metric logging: points in the store / points logged",
            stored,
            POINTS,
            "points",
            "all delivered",
            every,
            f"{stats.batches} log_batch calls, {stats.failures} failures, {stats.spilled_pending} spilled",
        ),
    ]


if __name__ == "__main__":
    for e in run():
        print(e)
